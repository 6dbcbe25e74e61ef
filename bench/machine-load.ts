/**
 * How busy the machine was during a benchmark section, from Linux's /proc: the CPU time of every process
 * (/proc/stat) minus this process's own time and that of its waited-for children (/proc/self/stat utime, stime,
 * cutime, cstime), divided by the wall time → the average number of cores other jobs used meanwhile. With 2 cores,
 * 0 means a quiet machine and 1 means half of it was taken. Also the cores this process and its children got, and
 * the 1-minute load average at the end.
 */
import { readFileSync } from 'node:fs';
import { LvrError } from '@lvr/core';

/** Clock ticks of /proc (USER_HZ, 100 on Linux). */
const HZ = 100;

/** Raw counters at one instant. */
export interface LoadSample {
  readonly wallMs: number;
  /** Busy ticks of all CPUs (user + nice + system + irq + softirq + steal). */
  readonly busyTicks: number;
  /** Ticks of this process and its reaped children. */
  readonly ownTicks: number;
}

/** A section's summary. */
export interface SectionLoad {
  readonly name: string;
  readonly seconds: number;
  /** Average cores used by other processes. */
  readonly otherCores: number;
  /** Average cores used by this process and its children (what the benchmark actually got). */
  readonly ownCores: number;
  /** 1-minute load average at the end of the section. */
  readonly loadavg1: number;
}

/** Busy ticks from the first line of /proc/stat. */
export function parseProcStat(text: string): number {
  const line = text.split('\n', 1)[0] ?? '';
  const f = line.trim().split(/\s+/);
  if (f[0] !== 'cpu' || f.length < 8) throw new LvrError('IO_ERROR', `/proc/stat: unexpected first line "${line}"`);
  const v = f.slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = v as [number, number, number, number, number, number, number, number | undefined];
  return user + nice + system + irq + softirq + (steal ?? 0);
}

/** utime + stime + cutime + cstime from /proc/<pid>/stat (fields 14–17; the command name may contain spaces). */
export function parseSelfStat(text: string): number {
  const rest = text.slice(text.lastIndexOf(')') + 2).trim().split(/\s+/); // rest[0] is field 3 (state)
  const ticks = rest.slice(11, 15).map(Number);
  if (ticks.length !== 4 || ticks.some((t) => !Number.isFinite(t))) throw new LvrError('IO_ERROR', '/proc/self/stat: cannot read utime/stime/cutime/cstime');
  return ticks.reduce((a, b) => a + b, 0);
}

/** Reads the counters now. */
export function sampleLoad(): LoadSample {
  return { wallMs: performance.now(), busyTicks: parseProcStat(readFileSync('/proc/stat', 'utf8')), ownTicks: parseSelfStat(readFileSync('/proc/self/stat', 'utf8')) };
}

/** Average cores used by this process and its reaped children between two samples. */
export function ownCores(a: LoadSample, b: LoadSample): number {
  const wallS = (b.wallMs - a.wallMs) / 1000;
  return wallS <= 0 ? 0 : (b.ownTicks - a.ownTicks) / HZ / wallS;
}

/** Average cores used by other processes between two samples (never below 0). */
export function otherCores(a: LoadSample, b: LoadSample): number {
  const wallS = (b.wallMs - a.wallMs) / 1000;
  if (wallS <= 0) return 0;
  return Math.max(0, (b.busyTicks - a.busyTicks - (b.ownTicks - a.ownTicks)) / HZ / wallS);
}

/**
 * Times named sections and how loaded the machine was in each.
 *
 * @example
 * const meter = new LoadMeter();
 * await meter.section('decode', () => runDecode());
 * meter.sections; // [{ name: 'decode', seconds: 4.2, otherCores: 1.1, ownCores: 0.9, loadavg1: 3.2 }]
 */
export class LoadMeter {
  readonly sections: SectionLoad[] = [];

  async section<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    const a = sampleLoad();
    const out = await fn();
    const b = sampleLoad();
    const loadavg1 = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
    this.sections.push({ name, seconds: (b.wallMs - a.wallMs) / 1000, otherCores: otherCores(a, b), ownCores: ownCores(a, b), loadavg1 });
    return out;
  }

  /**
   * One line, sections of the same name merged (total time, time-weighted average cores):
   * `name 12 s, bench 0.9 / others 1.1 cores; …`.
   */
  summary(): string {
    const merged = new Map<string, { seconds: number; own: number; other: number }>();
    for (const s of this.sections) {
      const m = merged.get(s.name) ?? { seconds: 0, own: 0, other: 0 };
      m.seconds += s.seconds;
      m.own += s.ownCores * s.seconds;
      m.other += s.otherCores * s.seconds;
      merged.set(s.name, m);
    }
    const avg = (x: number, t: number): string => (t > 0 ? x / t : 0).toFixed(1);
    return [...merged].map(([name, m]) => `${name} ${m.seconds.toFixed(0)} s, bench ${avg(m.own, m.seconds)} / others ${avg(m.other, m.seconds)} cores`).join('; ');
  }
}

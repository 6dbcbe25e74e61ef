import { describe, expect, it } from 'vitest';
import { LoadMeter, otherCores, ownCores, parseProcStat, parseSelfStat } from './machine-load.js';

describe('/proc parsing', () => {
  it('sums the busy fields of the cpu line', () => {
    // user nice system idle iowait irq softirq steal
    expect(parseProcStat('cpu  100 5 50 9000 20 3 2 7 0 0\ncpu0 1 2 3 4 5 6 7 8\n')).toBe(100 + 5 + 50 + 3 + 2 + 7);
    expect(() => parseProcStat('intr 1 2 3')).toThrow(/unexpected first line/);
  });
  it('reads utime + stime + cutime + cstime after a command name with spaces and parentheses', () => {
    const fields = ['S', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', /*utime*/ '40', /*stime*/ '2', /*cutime*/ '300', /*cstime*/ '8', '20', '0'];
    expect(parseSelfStat(`1234 (node (x) y) ${fields.join(' ')}`)).toBe(350);
  });
});

describe('otherCores', () => {
  it('subtracts our own ticks and divides by wall time', () => {
    const a = { wallMs: 0, busyTicks: 1000, ownTicks: 100 };
    const b = { wallMs: 2000, busyTicks: 1400, ownTicks: 300 }; // 400 busy ticks in 2 s, 200 of them ours
    expect(otherCores(a, b)).toBeCloseTo(1.0, 10);
    expect(ownCores(a, b)).toBeCloseTo(1.0, 10);
    expect(otherCores(a, { ...b, busyTicks: 1100 })).toBe(0); // never negative
  });
  it('records a section of this machine', async () => {
    const m = new LoadMeter();
    const v = await m.section('noop', () => 7);
    expect(v).toBe(7);
    expect(m.sections[0]!.name).toBe('noop');
    expect(m.sections[0]!.otherCores).toBeGreaterThanOrEqual(0);
    expect(m.summary()).toMatch(/^noop \d+ s, bench \d+\.\d \/ others \d+\.\d cores$/);
  });
  it('merges sections of the same name, weighting the cores by time', () => {
    const m = new LoadMeter();
    m.sections.push(
      { name: 'decode', seconds: 1, otherCores: 2, ownCores: 0, loadavg1: 1 },
      { name: 'train', seconds: 5, otherCores: 0.5, ownCores: 1, loadavg1: 1 },
      { name: 'decode', seconds: 3, otherCores: 0, ownCores: 1, loadavg1: 1 },
    );
    expect(m.summary()).toBe('decode 4 s, bench 0.8 / others 0.5 cores; train 5 s, bench 1.0 / others 0.5 cores');
  });
});

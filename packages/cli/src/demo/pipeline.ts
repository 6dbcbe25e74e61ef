import { readFileSync } from 'node:fs';
import { LvrError, createLogger, type Logger, type ProgressCallback } from '@lvr/core';

/**
 * CPU milliseconds used so far by this process plus its finished (waited-for) child processes — on Linux from
 * `/proc/self/stat` (cutime + cstime, 100 ticks/s); elsewhere this process only. A stage's CPU time over 2 (cores)
 * estimates its wall time on an idle 2-core machine when the machine is shared.
 */
export function cpuMsSoFar(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): cutime and cstime are fields 16 and 17.
    children = (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    children = 0;
  }
  return (own.user + own.system) / 1000 + (Number.isFinite(children) ? children : 0);
}

/** Shared state of one demo run, handed to every stage in order. */
export interface DemoContext {
  /** Root folder of the run (every stage writes below it). */
  readonly outDir: string;
  /** `--full`: the larger, slower configuration. */
  readonly full: boolean;
  /** Master seed of the run. */
  readonly seed: number;
  readonly onProgress?: ProgressCallback | undefined;
  readonly log: Logger;
  /**
   * Named outputs of earlier stages (paths and small values), e.g. `suiteDir`, `preview`. A stage reads
   * what it needs from here and adds its own outputs through its return value.
   */
  readonly artifacts: Readonly<Record<string, string>>;
}

/** What a stage hands back: new artifacts and a few summary values for the final report. */
export interface StageOutput {
  readonly artifacts?: Readonly<Record<string, string>>;
  readonly summary?: Readonly<Record<string, string | number>>;
}

/**
 * One step of the demo (synth, preview, later pretrain, sft, lvr, livr, eval, report). Stages run in
 * order; each declares the artifacts it needs so a missing one fails before any work is done.
 */
export interface DemoStage {
  readonly name: string;
  /** One line for help and logs. */
  readonly description: string;
  /** Artifact names this stage reads (produced by earlier stages). */
  readonly requires: readonly string[];
  /** Artifact names this stage always produces. */
  readonly provides: readonly string[];
  run(ctx: DemoContext): Promise<StageOutput>;
}

/** Result of one stage in a finished pipeline. */
export interface StageResult {
  readonly name: string;
  readonly ms: number;
  /** CPU time of the stage (this process and its child processes, see {@link cpuMsSoFar}). */
  readonly cpuMs: number;
  readonly artifacts: Readonly<Record<string, string>>;
  readonly summary: Readonly<Record<string, string | number>>;
}

/** Result of {@link runPipeline}. */
export interface PipelineResult {
  readonly stages: readonly StageResult[];
  /** Every artifact of every stage. */
  readonly artifacts: Readonly<Record<string, string>>;
}

/** Settings of a pipeline run (everything of {@link DemoContext} except the artifacts and logger). */
export interface PipelineOptions {
  readonly outDir: string;
  readonly full?: boolean;
  readonly seed?: number;
  readonly onProgress?: ProgressCallback | undefined;
  /** Called before each stage starts (e.g. to print a heading). */
  readonly onStageStart?: (stage: DemoStage, index: number, count: number) => void;
  /** Artifacts available before the first stage (e.g. from an earlier run). */
  readonly artifacts?: Readonly<Record<string, string>>;
}

/**
 * Runs stages in order, threading their artifacts. Checks up front that every stage's `requires` is
 * provided by an earlier stage or given in `options.artifacts` (a wiring mistake fails with
 * `CONFIG_INVALID` before any work); a stage that does not produce what it `provides` fails the same way.
 *
 * @example
 * const res = await runPipeline([synthStage, previewStage], { outDir: 'runs/demo' });
 * res.artifacts.preview; // 'runs/demo/preview.png'
 */
export async function runPipeline(stages: readonly DemoStage[], options: PipelineOptions): Promise<PipelineResult> {
  const artifacts: Record<string, string> = { ...(options.artifacts ?? {}) };
  const available = new Set(Object.keys(artifacts));
  const names = new Set<string>();
  for (const s of stages) {
    if (names.has(s.name)) throw wiring(`stage "${s.name}" appears twice`);
    names.add(s.name);
    const missing = s.requires.filter((r) => !available.has(r));
    if (missing.length > 0) throw wiring(`stage "${s.name}" needs ${missing.join(', ')}, which no earlier stage provides`);
    for (const p of s.provides) available.add(p);
  }
  const results: StageResult[] = [];
  for (const [i, stage] of stages.entries()) {
    const ctx: DemoContext = {
      outDir: options.outDir,
      full: options.full ?? false,
      seed: options.seed ?? 0,
      onProgress: options.onProgress,
      log: createLogger(`cli:demo:${stage.name}`),
      artifacts: { ...artifacts },
    };
    options.onStageStart?.(stage, i, stages.length);
    const t0 = Date.now();
    const c0 = cpuMsSoFar();
    const out = await stage.run(ctx);
    const produced = out.artifacts ?? {};
    const absent = stage.provides.filter((p) => produced[p] === undefined);
    if (absent.length > 0) throw wiring(`stage "${stage.name}" did not produce ${absent.join(', ')}`);
    Object.assign(artifacts, produced);
    results.push({ name: stage.name, ms: Date.now() - t0, cpuMs: Math.round(cpuMsSoFar() - c0), artifacts: produced, summary: out.summary ?? {} });
  }
  return { stages: results, artifacts };
}

function wiring(message: string): LvrError {
  return new LvrError('CONFIG_INVALID', `demo pipeline: ${message}`);
}

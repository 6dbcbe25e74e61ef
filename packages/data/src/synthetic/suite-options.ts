import { LvrError, type ProgressCallback } from '@lvr/core';
import { SYSTEM_MESSAGE } from '../tokenizer/special-tokens.js';
import { resolveRenderOptions, type RenderOptions, type ResolvedRenderOptions } from './render.js';
import { ALL_TASK_KINDS, TASK_KINDS, type TaskKind } from './tasks/task-family.js';
import { resolveTaskOptions, type ResolvedTaskOptions, type TaskOptions } from './tasks/task-options.js';
import { getTaskFamily } from './tasks/registry.js';

/** Options of {@link generateSuite} (task, scene and rendering knobs included). */
export interface SuiteOptions extends TaskOptions, RenderOptions {
  /** Folder to write into; created if missing. Must be empty or hold a previous suite (`suite.json`). */
  outDir: string;
  /** Master seed (integer 0..2³²−1). Same seed and options → byte-identical files. Default 0. */
  seed?: number;
  /** Training items (LVR SFT JSON). Default 2000. */
  trainCount?: number;
  /** Test items (benchmark-style JSONL). Default 1000. */
  testCount?: number;
  /**
   * Task families to include; items are split evenly between them. Default the four perception tasks
   * (`TASK_KINDS`); the reasoning tasks `chase` and `majority` are opt-in.
   */
  tasks?: readonly TaskKind[];
  /** Cells per axis of the caption grid (only affects the tokenizer's `x0..`/`y0..` words). Default 4. */
  gridCells?: number;
  /** System prompt whose words the tokenizer must know. Default `"You are a helpful assistant."`. */
  systemMessage?: string;
  /** Images rendered and encoded concurrently. Default 8. */
  concurrency?: number;
  /** Progress events: task `"synthetic"`, one tick per image written. */
  onProgress?: ProgressCallback;
}

/** {@link SuiteOptions} resolved once (frozen); `knobs` is what `suite.json` records. */
export interface ResolvedSuiteOptions {
  readonly outDir: string;
  readonly seed: number;
  readonly trainCount: number;
  readonly testCount: number;
  readonly tasks: readonly TaskKind[];
  readonly gridCells: number;
  readonly systemMessage: string;
  readonly concurrency: number;
  readonly task: ResolvedTaskOptions;
  readonly render: ResolvedRenderOptions;
  readonly onProgress?: ProgressCallback | undefined;
}

function countOpt(field: string, v: number | undefined, dflt: number, max = 1_000_000): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < 0 || x > max) {
    throw new LvrError('CONFIG_INVALID', `synthetic: ${field} must be an integer in 0..${max}, got ${v}`, { details: { field } });
  }
  return x;
}

/**
 * Fills defaults, validates every knob (task, scene and render knobs included) and freezes the result.
 *
 * @example
 * resolveSuiteOptions({ outDir: 'out', tasks: ['attribute'] }).trainCount; // 2000
 */
export function resolveSuiteOptions(opts: SuiteOptions): ResolvedSuiteOptions {
  if (typeof opts.outDir !== 'string' || opts.outDir.length === 0) {
    throw new LvrError('CONFIG_INVALID', 'synthetic: outDir must be a non-empty path', { details: { field: 'outDir' } });
  }
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new LvrError('CONFIG_INVALID', `synthetic: seed must be an integer in 0..4294967295, got ${opts.seed}`, { details: { field: 'seed' } });
  }
  const tasks = opts.tasks ?? TASK_KINDS;
  if (!Array.isArray(tasks) || tasks.length === 0) {
    throw new LvrError('CONFIG_INVALID', `synthetic: tasks must be a non-empty list of ${ALL_TASK_KINDS.join(', ')}`, { details: { field: 'tasks' } });
  }
  for (const t of tasks) getTaskFamily(t);
  const gridCells = opts.gridCells ?? 4;
  if (!Number.isInteger(gridCells) || gridCells < 1 || gridCells > 16) {
    throw new LvrError('CONFIG_INVALID', `synthetic: gridCells must be an integer in 1..16, got ${opts.gridCells}`, { details: { field: 'gridCells' } });
  }
  return Object.freeze({
    outDir: opts.outDir,
    seed,
    trainCount: countOpt('trainCount', opts.trainCount, 2000),
    testCount: countOpt('testCount', opts.testCount, 1000),
    tasks: Object.freeze(ALL_TASK_KINDS.filter((k) => tasks.includes(k))),
    gridCells,
    systemMessage: opts.systemMessage ?? SYSTEM_MESSAGE,
    concurrency: countOpt('concurrency', opts.concurrency, 8, 256) || 1,
    task: resolveTaskOptions(opts),
    render: resolveRenderOptions(opts),
    onProgress: opts.onProgress,
  });
}

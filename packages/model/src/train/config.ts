import { LvrError } from '@lvr/core';
import { resolveAdamWOptions, type AdamWOptions } from './adamw.js';
import type { ScheduleKind, StageSchedule } from './schedule.js';

/** One stage of a staged run (LIVR: stage 1 with the bottleneck mask, stage 2 without). */
export interface StageConfig {
  steps: number;
  /** Peak learning rate; default: the run's `lr`. */
  lr?: number;
  /** Warmup steps of this stage; default `ceil(warmupRatio · steps)`. */
  warmupSteps?: number;
  /** Default: the run's `warmupRatio` (0 if unset). */
  warmupRatio?: number;
  schedule?: ScheduleKind;
  minLrRatio?: number;
  name?: string;
}

/** The resolved, frozen trainer configuration (see {@link resolveTrainerConfig} for defaults). */
export interface TrainerConfig {
  /** Seeds the trainer Rng (data order, per-step loss-function Rng). Default 42. */
  readonly seed: number;
  /** Optimizer steps in the run (= Σ stage steps with stages). Required without stages. */
  readonly totalSteps: number;
  /** Micro-batches per optimizer step; gradients are averaged. Default 1. */
  readonly accumSteps: number;
  /** Peak learning rate. Default 1e-3. */
  readonly lr: number;
  /** Warmup steps (single-stage runs). Default `ceil(warmupRatio · totalSteps)`, warmupRatio default 0. */
  readonly warmupSteps: number;
  /** Decay after warmup. Default 'cosine'. */
  readonly schedule: ScheduleKind;
  /** Decay floor as a fraction of the peak. Default 0. */
  readonly minLrRatio: number;
  /** The schedule as stages (a single-stage run has one); it restarts at each stage boundary. */
  readonly stages: readonly Readonly<StageSchedule>[];
  readonly adamw: Readonly<Required<AdamWOptions>>;
  /** Global-norm clipping threshold; null disables clipping (the norm is still logged). Default 1.0. */
  readonly maxGradNorm: number | null;
  /** Non-finite loss or gradient norm: throw `LvrError('NUMERIC')` (default) or skip the update. */
  readonly onNonFinite: 'error' | 'skip';
  /** Save a checkpoint every N steps into `outDir/checkpoint-<step>`; 0 = only at the end. Default 0. */
  readonly checkpointEvery: number;
  /** Keep the newest k checkpoints; 0 keeps all. Default 2. */
  readonly keepLast: number;
  /** Save a checkpoint after the last step. Default true. */
  readonly saveFinal: boolean;
  /** Log a line through `lvr:train` every N steps. Default 10. */
  readonly logEvery: number;
  /** Metric records kept in trainer_state.json. Default 20. */
  readonly metricsTail: number;
  /** Write `loss_curve.png` at checkpoints and at the end. Default true. */
  readonly lossCurve: boolean;
}

/** What callers pass: every field optional except `totalSteps` (or `stages`). */
export type TrainerConfigInput = Partial<Omit<TrainerConfig, 'stages' | 'adamw'>> & {
  warmupRatio?: number;
  stages?: readonly StageConfig[];
  adamw?: AdamWOptions;
};

const KEYS = new Set([
  'seed', 'totalSteps', 'accumSteps', 'lr', 'warmupSteps', 'warmupRatio', 'schedule', 'minLrRatio', 'stages', 'adamw',
  'maxGradNorm', 'onNonFinite', 'checkpointEvery', 'keepLast', 'saveFinal', 'logEvery', 'metricsTail', 'lossCurve',
]);

function invalid(field: string, msg: string): never {
  throw new LvrError('CONFIG_INVALID', `trainer config: ${field} ${msg}`, { details: { field } });
}

function int(field: string, v: number, min: number): number {
  if (!Number.isSafeInteger(v) || v < min) invalid(field, `must be an integer ≥ ${min}, got ${v}`);
  return v;
}

function ratio(field: string, v: number): number {
  if (!(v >= 0 && v <= 1)) invalid(field, `must be in [0, 1], got ${v}`);
  return v;
}

function kind(field: string, v: string): ScheduleKind {
  if (v !== 'cosine' && v !== 'linear' && v !== 'constant') invalid(field, `must be cosine | linear | constant, got "${v}"`);
  return v;
}

function lrValue(field: string, v: number): number {
  if (!(v >= 0 && Number.isFinite(v))) invalid(field, `must be a finite number ≥ 0, got ${v}`);
  return v;
}

/**
 * Validates a trainer config, fills in defaults and freezes it. Unknown fields are rejected (they are
 * usually typos such as `warmup_steps`).
 *
 * @example
 * const cfg = resolveTrainerConfig({ totalSteps: 1000, lr: 3e-4, warmupRatio: 0.03, accumSteps: 4 });
 * const livr = resolveTrainerConfig({ lr: 1e-4, warmupRatio: 0.05, stages: [{ steps: 500, name: 'bottleneck' }, { steps: 750 }] });
 */
export function resolveTrainerConfig(input: TrainerConfigInput | TrainerConfig): Readonly<TrainerConfig> {
  for (const k of Object.keys(input)) if (!KEYS.has(k)) invalid(k, 'is not a known field');
  const i = input as TrainerConfigInput;
  const lr = lrValue('lr', i.lr ?? 1e-3);
  const warmupRatio = ratio('warmupRatio', i.warmupRatio ?? 0);
  const schedule = kind('schedule', i.schedule ?? 'cosine');
  const minLrRatio = ratio('minLrRatio', i.minLrRatio ?? 0);
  let stages: StageSchedule[];
  if (i.stages !== undefined) {
    if (!Array.isArray(i.stages) || i.stages.length === 0) invalid('stages', 'must be a non-empty array');
    stages = i.stages.map((s: StageConfig & Partial<StageSchedule>, k) => {
      const f = `stages[${k}]`; // accepts resolved stages too (peakLr / kind), so resolving is idempotent
      const steps = int(`${f}.steps`, s.steps, 1);
      const wr = ratio(`${f}.warmupRatio`, s.warmupRatio ?? warmupRatio);
      const st: StageSchedule = {
        steps,
        peakLr: lrValue(`${f}.lr`, s.lr ?? s.peakLr ?? lr),
        warmupSteps: int(`${f}.warmupSteps`, s.warmupSteps ?? Math.ceil(wr * steps), 0),
        kind: kind(`${f}.schedule`, s.schedule ?? s.kind ?? schedule),
        minLrRatio: ratio(`${f}.minLrRatio`, s.minLrRatio ?? minLrRatio),
      };
      if (st.warmupSteps > steps) invalid(`${f}.warmupSteps`, `(${st.warmupSteps}) exceeds the stage's ${steps} steps`);
      if (s.name !== undefined) st.name = s.name;
      return Object.freeze(st);
    });
    const sum = stages.reduce((a, s) => a + s.steps, 0);
    if (i.totalSteps !== undefined && i.totalSteps !== sum) invalid('totalSteps', `(${i.totalSteps}) differs from the sum of stage steps (${sum})`);
  } else {
    if (i.totalSteps === undefined) invalid('totalSteps', 'is required (or give stages)');
    const total = int('totalSteps', i.totalSteps, 1);
    const warmup = int('warmupSteps', i.warmupSteps ?? Math.ceil(warmupRatio * total), 0);
    if (warmup > total) invalid('warmupSteps', `(${warmup}) exceeds totalSteps (${total})`);
    stages = [Object.freeze({ steps: total, peakLr: lr, warmupSteps: warmup, kind: schedule, minLrRatio })];
  }
  let adamw: Readonly<Required<AdamWOptions>>;
  try {
    adamw = resolveAdamWOptions(i.adamw ?? {});
  } catch (cause) {
    invalid('adamw', (cause as Error).message);
  }
  const maxGradNorm = i.maxGradNorm === undefined ? 1.0 : i.maxGradNorm;
  if (maxGradNorm !== null && !(maxGradNorm > 0 && Number.isFinite(maxGradNorm))) invalid('maxGradNorm', `must be > 0 or null, got ${maxGradNorm}`);
  const onNonFinite = i.onNonFinite ?? 'error';
  if (onNonFinite !== 'error' && onNonFinite !== 'skip') invalid('onNonFinite', `must be "error" or "skip", got "${String(onNonFinite)}"`);
  const bool = (field: 'saveFinal' | 'lossCurve', d: boolean): boolean => {
    const v = i[field] ?? d;
    if (typeof v !== 'boolean') invalid(field, `must be a boolean, got ${JSON.stringify(v)}`);
    return v;
  };
  if (!Number.isSafeInteger(i.seed ?? 42)) invalid('seed', `must be an integer, got ${i.seed}`);
  return Object.freeze({
    seed: i.seed ?? 42,
    totalSteps: stages.reduce((a, s) => a + s.steps, 0),
    accumSteps: int('accumSteps', i.accumSteps ?? 1, 1),
    lr,
    warmupSteps: stages[0]?.warmupSteps ?? 0,
    schedule,
    minLrRatio,
    stages: Object.freeze(stages),
    adamw,
    maxGradNorm,
    onNonFinite,
    checkpointEvery: int('checkpointEvery', i.checkpointEvery ?? 0, 0),
    keepLast: int('keepLast', i.keepLast ?? 2, 0),
    saveFinal: bool('saveFinal', true),
    logEvery: int('logEvery', i.logEvery ?? 10, 1),
    metricsTail: int('metricsTail', i.metricsTail ?? 20, 0),
    lossCurve: bool('lossCurve', true),
  });
}

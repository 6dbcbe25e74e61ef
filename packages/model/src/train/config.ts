import * as z from 'zod';
import { finiteFrom, flag, intAtLeast, issuesError, numberIn, oneOf, parseWith, type FieldIssue } from '@lvr/data';
import { adamwOptionsSchema, resolveAdamWOptions, type AdamWOptions } from './adamw.js';
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

const scheduleKind = oneOf(['cosine', 'linear', 'constant']);
const ratio = numberIn(0, 1);
const lrValue = finiteFrom(0);

/** A stage as given, or as resolved (`peakLr` / `kind`), so that resolving a resolved config is idempotent. */
const stageSchema = z.strictObject({
  steps: intAtLeast(1),
  lr: lrValue.optional(),
  warmupSteps: intAtLeast(0).optional(),
  warmupRatio: ratio.optional(),
  schedule: scheduleKind.optional(),
  minLrRatio: ratio.optional(),
  name: z.string({ error: 'must be a string' }).optional(),
  peakLr: lrValue.optional(),
  kind: scheduleKind.optional(),
});

/**
 * Every field of {@link TrainerConfigInput} with its type and range. Unknown fields are rejected (they are usually
 * typos such as `warmup_steps`).
 */
export const trainerConfigSchema = z.strictObject({
  seed: z.int({ error: 'must be an integer' }).optional(),
  totalSteps: intAtLeast(1).optional(),
  accumSteps: intAtLeast(1).optional(),
  lr: lrValue.optional(),
  warmupSteps: intAtLeast(0).optional(),
  warmupRatio: ratio.optional(),
  schedule: scheduleKind.optional(),
  minLrRatio: ratio.optional(),
  stages: z.array(stageSchema, { error: 'must be a non-empty array' }).min(1, { error: 'must be a non-empty array' }).optional(),
  adamw: adamwOptionsSchema.optional(),
  maxGradNorm: z.number({ error: 'must be a finite number > 0 or null' }).gt(0, { error: 'must be a finite number > 0 or null' }).nullable().optional(),
  onNonFinite: oneOf(['error', 'skip']).optional(),
  checkpointEvery: intAtLeast(0).optional(),
  keepLast: intAtLeast(0).optional(),
  saveFinal: flag().optional(),
  logEvery: intAtLeast(1).optional(),
  metricsTail: intAtLeast(0).optional(),
  lossCurve: flag().optional(),
});

/**
 * Validates a trainer config (every field with {@link trainerConfigSchema}, then the step counts between fields),
 * fills in defaults and freezes it. `CONFIG_INVALID` names each field: `trainer config: stages[1].steps must be
 * an integer ≥ 1, got 0`.
 *
 * @example
 * const cfg = resolveTrainerConfig({ totalSteps: 1000, lr: 3e-4, warmupRatio: 0.03, accumSteps: 4 });
 * const livr = resolveTrainerConfig({ lr: 1e-4, warmupRatio: 0.05, stages: [{ steps: 500, name: 'bottleneck' }, { steps: 750 }] });
 */
export function resolveTrainerConfig(input: TrainerConfigInput | TrainerConfig): Readonly<TrainerConfig> {
  const ctx = { code: 'CONFIG_INVALID', where: 'trainer config' } as const;
  const i = parseWith(trainerConfigSchema, input, ctx);
  const issues: FieldIssue[] = [];
  const lr = i.lr ?? 1e-3;
  const warmupRatio = i.warmupRatio ?? 0;
  const schedule = i.schedule ?? 'cosine';
  const minLrRatio = i.minLrRatio ?? 0;
  let stages: StageSchedule[];
  if (i.stages !== undefined) {
    stages = i.stages.map((s, k) => {
      const st: StageSchedule = {
        steps: s.steps,
        peakLr: s.lr ?? s.peakLr ?? lr,
        warmupSteps: s.warmupSteps ?? Math.ceil((s.warmupRatio ?? warmupRatio) * s.steps),
        kind: s.schedule ?? s.kind ?? schedule,
        minLrRatio: s.minLrRatio ?? minLrRatio,
      };
      if (st.warmupSteps > s.steps) issues.push({ field: `stages[${k}].warmupSteps`, message: `(${st.warmupSteps}) exceeds the stage's ${s.steps} steps` });
      if (s.name !== undefined) st.name = s.name;
      return Object.freeze(st);
    });
    const sum = stages.reduce((a, s) => a + s.steps, 0);
    if (i.totalSteps !== undefined && i.totalSteps !== sum) issues.push({ field: 'totalSteps', message: `(${i.totalSteps}) differs from the sum of stage steps (${sum})` });
  } else if (i.totalSteps === undefined) {
    issues.push({ field: 'totalSteps', message: 'is required (or give stages)' });
    stages = [];
  } else {
    const warmup = i.warmupSteps ?? Math.ceil(warmupRatio * i.totalSteps);
    if (warmup > i.totalSteps) issues.push({ field: 'warmupSteps', message: `(${warmup}) exceeds totalSteps (${i.totalSteps})` });
    stages = [Object.freeze({ steps: i.totalSteps, peakLr: lr, warmupSteps: warmup, kind: schedule, minLrRatio })];
  }
  if (issues.length > 0) throw issuesError(issues, ctx);
  return Object.freeze({
    seed: i.seed ?? 42,
    totalSteps: stages.reduce((a, s) => a + s.steps, 0),
    accumSteps: i.accumSteps ?? 1,
    lr,
    warmupSteps: stages[0]?.warmupSteps ?? 0,
    schedule,
    minLrRatio,
    stages: Object.freeze(stages),
    adamw: resolveAdamWOptions(i.adamw ?? {}),
    maxGradNorm: i.maxGradNorm === undefined ? 1.0 : i.maxGradNorm,
    onNonFinite: i.onNonFinite ?? 'error',
    checkpointEvery: i.checkpointEvery ?? 0,
    keepLast: i.keepLast ?? 2,
    saveFinal: i.saveFinal ?? true,
    logEvery: i.logEvery ?? 10,
    metricsTail: i.metricsTail ?? 20,
    lossCurve: i.lossCurve ?? true,
  });
}

import { LvrError } from '@lvr/core';

/** Shape of the decay after warmup. */
export type ScheduleKind = 'cosine' | 'linear' | 'constant';

/** A single warmup + decay schedule over `totalSteps` optimizer steps. */
export interface ScheduleOptions {
  peakLr: number;
  warmupSteps: number;
  totalSteps: number;
  /** Floor of the decay as a fraction of `peakLr`. Default 0. */
  minLrRatio?: number;
  /** Default 'cosine'. */
  kind?: ScheduleKind;
}

/** One stage of a {@link StagedSchedule}: its own warmup and decay over `steps` steps. */
export interface StageSchedule {
  steps: number;
  peakLr: number;
  warmupSteps: number;
  minLrRatio?: number;
  kind?: ScheduleKind;
  name?: string;
}

/** Consecutive stages; the schedule restarts (new warmup, new decay) at each stage boundary (LIVR). */
export interface StagedSchedule {
  stages: readonly StageSchedule[];
}

/** Where a global step falls in a {@link StagedSchedule}. */
export interface StagePosition {
  index: number;
  /** Global step at which the stage starts. */
  start: number;
  /** `step − start`. */
  localStep: number;
}

function checkStage(s: StageSchedule, where: string): void {
  const bad = (msg: string): never => {
    throw new LvrError('INVALID_ARGUMENT', `lr schedule ${where}: ${msg}`);
  };
  if (!Number.isSafeInteger(s.steps) || s.steps < 1) bad(`steps must be a positive integer, got ${s.steps}`);
  if (!(s.peakLr >= 0 && Number.isFinite(s.peakLr))) bad(`peakLr must be finite and ≥ 0, got ${s.peakLr}`);
  if (!Number.isSafeInteger(s.warmupSteps) || s.warmupSteps < 0 || s.warmupSteps > s.steps) {
    bad(`warmupSteps must be an integer in [0, ${s.steps}], got ${s.warmupSteps}`);
  }
  const r = s.minLrRatio ?? 0;
  if (!(r >= 0 && r <= 1)) bad(`minLrRatio must be in [0, 1], got ${r}`);
  if (!['cosine', 'linear', 'constant'].includes(s.kind ?? 'cosine')) bad(`unknown kind "${String(s.kind)}"`);
}

/** Multiplier of peakLr at 0-based step `s` of a stage (HF `get_*_schedule_with_warmup` conventions). */
function factor(s: number, st: StageSchedule): number {
  const w = st.warmupSteps;
  if (s < w) return s / Math.max(1, w);
  const kind = st.kind ?? 'cosine';
  if (kind === 'constant') return 1;
  const progress = Math.min(1, (s - w) / Math.max(1, st.steps - w));
  const shape = kind === 'cosine' ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
  const r = st.minLrRatio ?? 0;
  return r + (1 - r) * shape;
}

/**
 * Where `step` falls among the stages. Steps past the end belong to the last stage.
 *
 * @example
 * stageAt(600, { stages: [{ steps: 500, peakLr: 1e-4, warmupSteps: 25 }, { steps: 750, peakLr: 1e-4, warmupSteps: 38 }] });
 * // { index: 1, start: 500, localStep: 100 }
 */
export function stageAt(step: number, schedule: StagedSchedule): StagePosition {
  if (!Number.isSafeInteger(step) || step < 0) throw new LvrError('INVALID_ARGUMENT', `lr schedule: step must be a non-negative integer, got ${step}`);
  if (schedule.stages.length === 0) throw new LvrError('INVALID_ARGUMENT', 'lr schedule: stages is empty');
  let start = 0;
  for (let i = 0; i < schedule.stages.length; i++) {
    const st = schedule.stages[i] as StageSchedule;
    checkStage(st, `stage ${i}`);
    if (step < start + st.steps || i === schedule.stages.length - 1) return { index: i, start, localStep: step - start };
    start += st.steps;
  }
  /* c8 ignore next */
  throw new LvrError('INVALID_ARGUMENT', 'lr schedule: unreachable');
}

/**
 * Learning rate of the optimizer step with 0-based index `step` (the update that produces metrics
 * step `step + 1`). Conventions follow transformers' `get_{cosine,linear,constant}_schedule_with_warmup`:
 * linear warmup `peak·s/W` for `s < W` (so the very first update has lr 0 when W > 0), then
 * `min + (peak − min)·shape(p)` with `p = (s − W)/(total − W)` clamped to 1, `shape = ½(1 + cos πp)` (cosine),
 * `1 − p` (linear) or 1 (constant), and `min = peak·minLrRatio`. With stages, `s` is the step within the
 * current stage and each stage has its own warmup and decay (the schedule restarts at each boundary).
 *
 * @example
 * lrAt(0, { peakLr: 1e-3, warmupSteps: 10, totalSteps: 100 });  // 0
 * lrAt(10, { peakLr: 1e-3, warmupSteps: 10, totalSteps: 100 }); // 1e-3
 * lrAt(55, { peakLr: 1e-3, warmupSteps: 10, totalSteps: 100 }); // 5e-4 (half way through the cosine)
 */
export function lrAt(step: number, schedule: ScheduleOptions | StagedSchedule): number {
  if ('stages' in schedule) {
    const pos = stageAt(step, schedule);
    return (schedule.stages[pos.index] as StageSchedule).peakLr * factor(pos.localStep, schedule.stages[pos.index] as StageSchedule);
  }
  if (!Number.isSafeInteger(step) || step < 0) throw new LvrError('INVALID_ARGUMENT', `lr schedule: step must be a non-negative integer, got ${step}`);
  const st: StageSchedule = { steps: schedule.totalSteps, peakLr: schedule.peakLr, warmupSteps: schedule.warmupSteps };
  if (schedule.minLrRatio !== undefined) st.minLrRatio = schedule.minLrRatio;
  if (schedule.kind !== undefined) st.kind = schedule.kind;
  checkStage(st, '');
  return st.peakLr * factor(step, st);
}

import type * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { LvrError, Rng, createLogger, type ProgressCallback } from '@lvr/core';
import type { MetricRecord } from '../io/trainer-state.js';
import { AdamW } from './adamw.js';
import { restoreTraining, writeTrainingCheckpoint } from './checkpointing.js';
import { clipByGlobalNorm } from './clip.js';
import { resolveTrainerConfig, type TrainerConfig, type TrainerConfigInput } from './config.js';
import { MetricsWriter } from './metrics.js';
import { trainableParams, type ParamStore } from './param-store.js';
import { writeLossCurvePng } from './plot.js';
import { lrAt, stageAt } from './schedule.js';
import { accumulate, maskGradRows, microStep, scaleGrads, type GradFn, type LossFn, type StepContext } from './step.js';

const log = createLogger('lvr:train');

/** Batches may report their real token count for `tokens_per_s`. */
export interface BatchInfo {
  numTokens?: number;
}

/**
 * Produces micro-batch number `index` (= step · accumSteps + micro). It must be a deterministic function of
 * its arguments (and the seed behind `rng`), which is what makes resume exact. Keep batches as plain arrays
 * and build tensors inside the loss function (they are then freed automatically), or pass `disposeBatch`.
 */
export type DataFn<B> = (index: number, rng: Rng, at: { step: number; micro: number }) => B | Promise<B>;

/** Options of {@link train}: give exactly one of `lossFn` / `gradFn`. */
export interface TrainOptions<B extends BatchInfo> {
  params: ParamStore;
  lossFn?: LossFn<B>;
  gradFn?: GradFn<B>;
  data: DataFn<B>;
  config: TrainerConfigInput | TrainerConfig;
  /** Run folder: metrics.jsonl, loss_curve.png, checkpoint-<step>/. Without it nothing is written. */
  outDir?: string;
  /** Written as config.json into checkpoints. Default `{}`. */
  modelConfig?: object;
  tokenizerJson?: object | string;
  onProgress?: ProgressCallback;
  /** Runs after every `every`-th step; its values are logged as `eval/<name>`. */
  evalHook?: { every: number; fn: (step: number) => Promise<Record<string, number>> | Record<string, number> };
  /** A checkpoint folder, or a run folder (its newest checkpoint is used). */
  resumeFrom?: string;
  /** Stops after the current step, saving a checkpoint when `outDir` is set. */
  signal?: AbortSignal;
  disposeBatch?: (batch: B) => void;
}

/** Summary of a {@link train} call. */
export interface TrainResult {
  /** Optimizer steps completed (including those before a resume). */
  step: number;
  skippedSteps: number;
  /** Metric records of the steps run by this call. */
  history: MetricRecord[];
  /** Checkpoint folders written by this call. */
  checkpoints: string[];
  /** True when `signal` stopped the run before `totalSteps`. */
  stoppedEarly: boolean;
}

function nonFinite(what: 'loss' | 'gradient norm', step: number, value: number, micro?: number): LvrError {
  const where = micro === undefined ? '' : ` (micro-batch ${micro})`;
  return new LvrError('NUMERIC', `non-finite ${what} at step ${step}${where}: ${value}`, { details: { step, micro, value, what } });
}

/**
 * Trains the trainable parameters of `params` with AdamW, warmup + cosine (or staged) schedule, gradient
 * accumulation and global-norm clipping; writes metrics, checkpoints and a loss curve into `outDir`.
 *
 * @example
 * const result = await train({
 *   params: store,
 *   lossFn: (batch, ctx) => computeLoss(model, batch, objective),
 *   data: (i, rng) => batches[rng.int(batches.length)],
 *   config: { totalSteps: 1000, lr: 3e-4, warmupRatio: 0.03, checkpointEvery: 250 },
 *   outDir: 'runs/lvr-tiny',
 *   onProgress: (e) => bar.update(e),
 * });
 */
export async function train<B extends BatchInfo>(opts: TrainOptions<B>): Promise<TrainResult> {
  const cfg = resolveTrainerConfig(opts.config);
  if ((opts.lossFn === undefined) === (opts.gradFn === undefined)) throw new LvrError('INVALID_ARGUMENT', 'train: pass exactly one of lossFn / gradFn');
  const fn = opts.gradFn ? { gradFn: opts.gradFn } : { lossFn: opts.lossFn as LossFn<B> };
  if (opts.evalHook && !(Number.isSafeInteger(opts.evalHook.every) && opts.evalHook.every > 0)) {
    throw new LvrError('INVALID_ARGUMENT', `train: evalHook.every must be a positive integer, got ${opts.evalHook.every}`);
  }
  const trainable = trainableParams(opts.params);
  if (trainable.length === 0) throw new LvrError('INVALID_ARGUMENT', 'train: no trainable parameters (all frozen?)');
  for (const [, e] of trainable) e.variable.trainable = true; // tf.variableGrads skips non-trainable variables
  const optimizer = new AdamW(trainable.map(([name, e]) => ({ name, variable: e.variable, decay: e.decay })), cfg.adamw);
  const rng = new Rng(cfg.seed);
  let start = 0;
  let skipped = 0;
  const tail: MetricRecord[] = [];
  const history: MetricRecord[] = [];
  const checkpoints: string[] = [];
  const staged = { stages: cfg.stages };
  try {
    if (opts.resumeFrom !== undefined) {
      const st = await restoreTraining(opts.resumeFrom, { params: opts.params, optimizer, rng, cfg });
      start = st.step;
      skipped = st.skippedSteps;
      tail.push(...(st.metricsTail ?? []));
      log.info(`resumed from ${st.dir} at step ${start}`);
    }
    const metrics = opts.outDir ? await MetricsWriter.open(join(opts.outDir, 'metrics.jsonl'), start > 0 ? { truncateAfterStep: start } : {}) : undefined;
    const snapshot = async (step: number): Promise<void> => {
      if (!opts.outDir) return;
      const o = { outDir: opts.outDir, step, params: opts.params, optimizer, rng, cfg, skippedSteps: skipped, tail, modelConfig: opts.modelConfig ?? {} };
      checkpoints.push(await writeTrainingCheckpoint({ ...o, tokenizerJson: opts.tokenizerJson }));
    };
    opts.onProgress?.({ status: 'start', task: 'train', total: cfg.totalSteps });
    const t0 = Date.now();
    let lastSaved = start;
    let stoppedEarly = false;
    for (let s = start; s < cfg.totalSteps; s++) {
      const n = s + 1;
      const tStep = performance.now();
      const lr = lrAt(s, staged);
      const stage = stageAt(s, staged).index;
      const stepRng = rng.fork();
      const acc = new Map<string, tf.Tensor>();
      let lossSum = 0;
      let tokens = 0;
      let hasTokens = false;
      const mSum: Record<string, number> = {};
      let bad: LvrError | undefined;
      let gradNorm = Number.NaN;
      try {
        for (let micro = 0; micro < cfg.accumSteps; micro++) {
          const dataRng = stepRng.fork();
          const ctx: StepContext = { step: s, micro, stage, lr, rng: stepRng.fork() };
          const batch = await opts.data(s * cfg.accumSteps + micro, dataRng, { step: s, micro });
          let r;
          try {
            r = microStep(fn, batch, ctx, trainable);
          } finally {
            opts.disposeBatch?.(batch);
          }
          accumulate(acc, r.grads);
          if (typeof batch.numTokens === 'number') {
            tokens += batch.numTokens;
            hasTokens = true;
          }
          if (!Number.isFinite(r.loss)) {
            bad = nonFinite('loss', n, r.loss, micro);
            break;
          }
          lossSum += r.loss;
          for (const [k, v] of Object.entries(r.metrics)) mSum[k] = (mSum[k] ?? 0) + v;
        }
        if (!bad) {
          scaleGrads(acc, 1 / cfg.accumSteps);
          maskGradRows(acc, opts.params);
          const clipped = clipByGlobalNorm(acc, cfg.maxGradNorm);
          if (clipped.grads !== acc) {
            acc.clear(); // the old tensors were disposed by the clip
            clipped.grads.forEach((g, k) => acc.set(k, g));
          }
          gradNorm = clipped.norm;
          if (!Number.isFinite(gradNorm)) bad = nonFinite('gradient norm', n, gradNorm);
          else optimizer.applyGradients(acc, lr);
        }
      } finally {
        acc.forEach((g) => g.dispose());
      }
      const timeMs = performance.now() - tStep;
      let rec: MetricRecord;
      if (bad) {
        if (cfg.onNonFinite === 'error') throw bad;
        skipped++;
        log.warn(`${bad.message}; skipping the update (onNonFinite: 'skip')`);
        rec = { step: n, lr, time_ms: timeMs, skipped_steps: skipped, nonfinite: bad.details.what === 'loss' ? 1 : 2 };
      } else {
        rec = { step: n, loss: lossSum / cfg.accumSteps };
        for (const [k, v] of Object.entries(mSum)) rec[k] = v / cfg.accumSteps;
        Object.assign(rec, { lr, grad_norm: gradNorm, time_ms: timeMs, skipped_steps: skipped });
        if (hasTokens) rec.tokens_per_s = tokens / (timeMs / 1000);
      }
      if (cfg.stages.length > 1) rec.stage = stage;
      if (opts.evalHook && n % opts.evalHook.every === 0) {
        for (const [k, v] of Object.entries(await opts.evalHook.fn(n))) rec[k.startsWith('eval/') ? k : `eval/${k}`] = v;
      }
      history.push(rec);
      tail.push(rec);
      if (tail.length > Math.max(1, cfg.metricsTail)) tail.shift();
      await metrics?.append(rec);
      const info: Record<string, number> = { lr };
      if (rec.loss !== undefined) info.loss = rec.loss;
      if (rec.tokens_per_s !== undefined) info.tokens_per_s = rec.tokens_per_s;
      opts.onProgress?.({ status: 'progress', task: 'train', done: n, total: cfg.totalSteps, info });
      if (n % cfg.logEvery === 0 || n === cfg.totalSteps) {
        log.info(`step ${n}/${cfg.totalSteps} loss ${rec.loss?.toFixed(4) ?? 'skipped'} lr ${lr.toExponential(2)} grad_norm ${gradNorm.toFixed(3)}`);
      }
      stoppedEarly = opts.signal?.aborted === true && n < cfg.totalSteps;
      if ((cfg.checkpointEvery > 0 && n % cfg.checkpointEvery === 0) || stoppedEarly) {
        await snapshot(n);
        lastSaved = n;
      }
      if (stoppedEarly) {
        log.info(`stopped at step ${n} (abort signal)`);
        break;
      }
    }
    const step = stoppedEarly ? (history[history.length - 1]?.step ?? start) : Math.max(start, cfg.totalSteps);
    if (opts.outDir && !stoppedEarly) {
      if (cfg.saveFinal && lastSaved !== step) await snapshot(step);
      else if (cfg.lossCurve) await writeLossCurvePng(join(opts.outDir, 'metrics.jsonl'), join(opts.outDir, 'loss_curve.png'));
    }
    opts.onProgress?.({ status: 'done', task: 'train', done: step, elapsedMs: Date.now() - t0 });
    return { step, skippedSteps: skipped, history, checkpoints, stoppedEarly };
  } finally {
    optimizer.dispose();
  }
}

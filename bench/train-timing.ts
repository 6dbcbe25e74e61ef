/**
 * Training-step time of a model on tfjs through the library's own trainer (`train` of @lvr/model): forward +
 * backward (`tf.variableGrads` of `computeLoss`, SFT objective), global-norm clipping at 1.0, AdamW, loss read
 * back — the step `lvr train` runs. The batch has the layout of bench/train-step.ts (B rows of L tokens:
 * `<|vision_start|> 16 × <|image_pad|> <|vision_end|> text…`, one 8×8-patch image per row, the text supervised),
 * with M-RoPE positions from @lvr/data's `getRopeIndexBatch`; tools/torch-reference/bench_train.py builds the
 * same shapes. Two cases: `full` (images through the ViT, every parameter trainable) and `lm` (visual tokens
 * cached once, ViT and merger frozen).
 */
import * as tf from '@tensorflow/tfjs';
import { LvrError, Rng } from '@lvr/core';
import { getRopeIndexBatch } from '@lvr/data';
import {
  IGNORE_INDEX, computeLoss, freezeModules, patchRowWidth, resolveObjective, train, unfreezeModules,
  type ImageInput, type MiniQwenVL, type ModelConfig, type TrainBatch,
} from '@lvr/model';
import { median } from './decode-timing.js';

/** The image of every row: 8×8 patches → 16 merged tokens with the demo's 2×2 merge. */
export const TRAIN_GRID = Object.freeze({ t: 1, h: 8, w: 8 });

/** Which parameters train. */
export type TrainCase = 'full' | 'lm';

/** Options of {@link timeTrainStep}. */
export interface TrainTimingOptions {
  readonly batch: number;
  readonly length: number;
  readonly reps: number;
  /** Untimed steps first. Default 3. */
  readonly warmup?: number;
  readonly seed?: number;
}

/** Median ms per optimizer step, every timed step, and the first / last loss (they must be finite). */
export interface TrainTiming {
  readonly case: TrainCase;
  readonly ms: number;
  readonly timesMs: readonly number[];
  readonly trainableParams: number;
  /** Positions whose next token is supervised (rows of the LM head in `computeLoss`). */
  readonly headRows: number;
  readonly firstLoss: number;
  readonly lastLoss: number;
  readonly tensorsBefore: number;
  readonly tensorsAfter: number;
}

/** Number of positions t whose label t + 1 is supervised (what the CE and the LM head run on). */
export function supervisedRows(b: TrainBatch): number {
  let n = 0;
  for (let r = 0; r < b.batch; r++) for (let t = 0; t + 1 < b.length; t++) if (b.labels[r * b.length + t + 1] !== IGNORE_INDEX) n++;
  return n;
}

/** Special-token ids of a config (never used as synthetic text). */
export function specialIds(c: Readonly<ModelConfig>): Set<number> {
  const t = c.tokens;
  return new Set([t.padId, t.imagePadId, t.visionStartId, t.visionEndId, t.eosId, t.lvrStartId, t.lvrId, t.lvrLatentEndId, t.lvrEndId, ...t.latentIds]);
}

/** Every id of the vocabulary that is not special, ascending. */
export function textIds(c: Readonly<ModelConfig>): number[] {
  const special = specialIds(c);
  const ids = Array.from({ length: c.vocabSize }, (_, i) => i).filter((i) => !special.has(i));
  if (ids.length === 0) throw new LvrError('CONFIG_INVALID', 'every vocabulary id is a special token');
  return ids;
}

/**
 * The synthetic batch (see the module comment): B rows of L tokens, each with one random 8×8-patch image.
 *
 * @example
 * const batch = syntheticTrainBatch(model.config, 32, 64, new Rng(1));
 */
export function syntheticTrainBatch(c: Readonly<ModelConfig>, batch: number, length: number, rng: Rng): TrainBatch {
  const imageTokens = (TRAIN_GRID.t * TRAIN_GRID.h * TRAIN_GRID.w) / c.vision.spatialMergeSize ** 2;
  if (!(Number.isInteger(batch) && batch > 0)) throw new LvrError('INVALID_ARGUMENT', `syntheticTrainBatch: batch must be a positive integer, got ${batch}`);
  if (!(Number.isInteger(length) && length >= imageTokens + 3)) throw new LvrError('INVALID_ARGUMENT', `syntheticTrainBatch: length must be an integer ≥ ${imageTokens + 3}, got ${length}`);
  const pool = textIds(c);
  const n = batch * length;
  const inputIds = new Int32Array(n);
  const labels = new Int32Array(n).fill(IGNORE_INDEX);
  for (let r = 0; r < batch; r++) {
    const o = r * length;
    inputIds[o] = c.tokens.visionStartId;
    inputIds.fill(c.tokens.imagePadId, o + 1, o + 1 + imageTokens);
    inputIds[o + imageTokens + 1] = c.tokens.visionEndId;
    for (let t = imageTokens + 2; t < length; t++) {
      inputIds[o + t] = pool[rng.int(pool.length)] as number;
      labels[o + t] = inputIds[o + t] as number;
    }
  }
  const grids = Array.from({ length: batch }, () => [TRAIN_GRID]);
  const { positionIds } = getRopeIndexBatch(inputIds, batch, grids, { imagePadId: c.tokens.imagePadId, visionStartId: c.tokens.visionStartId, mergeSize: c.vision.spatialMergeSize });
  const rowWidth = patchRowWidth(c.vision);
  const images: ImageInput[] = Array.from({ length: batch }, () => ({
    pixelValues: Float32Array.from({ length: TRAIN_GRID.t * TRAIN_GRID.h * TRAIN_GRID.w * rowWidth }, () => rng.normal()),
    gridThw: { ...TRAIN_GRID },
  }));
  return { batch, length, inputIds, attentionMask: new Uint8Array(n).fill(1), positionIds, labels, images, numTokens: n };
}

/**
 * Runs `warmup + reps` optimizer steps of the library trainer on one fixed batch and returns the median step time
 * of the last `reps`. The model's weights change (it trains); the `lm` case freezes and then unfreezes the ViT.
 *
 * @example
 * const t = await timeTrainStep(model, 'full', { batch: 32, length: 64, reps: 9 });
 */
export async function timeTrainStep(model: MiniQwenVL, which: TrainCase, o: TrainTimingOptions): Promise<TrainTiming> {
  const warmup = o.warmup ?? 3;
  if (!(Number.isInteger(o.reps) && o.reps > 0 && Number.isInteger(warmup) && warmup >= 0)) {
    throw new LvrError('INVALID_ARGUMENT', `timeTrainStep: reps must be a positive integer and warmup ≥ 0 (got ${o.reps}, ${warmup})`);
  }
  const full = syntheticTrainBatch(model.config, o.batch, o.length, new Rng(o.seed ?? 1));
  let batch = full;
  const frozen = ['vision', 'merger'];
  if (which === 'lm') {
    const visual = tf.tidy(() => model.encodeImages(full.images ?? []));
    batch = { ...full, images: undefined, visualTokens: Float32Array.from(visual.dataSync() as Float32Array) };
    visual.dispose();
    freezeModules(model.params, frozen);
  }
  const objective = resolveObjective({ kind: 'sft' });
  const trainable = [...model.params.values()].filter((e) => e.trainable).reduce((s, e) => s + e.variable.size, 0);
  const tensorsBefore = tf.memory().numTensors;
  try {
    const r = await train<TrainBatch>({
      params: model.params,
      lossFn: (b) => computeLoss(model, b, objective),
      data: () => batch,
      config: { totalSteps: warmup + o.reps, lr: 1e-3, schedule: 'constant', maxGradNorm: 1.0, lossCurve: false, logEvery: 1_000_000, saveFinal: false },
    });
    const times = r.history.slice(warmup).map((h) => h.time_ms as number);
    const losses = r.history.map((h) => h.loss as number);
    const firstLoss = losses[0] as number;
    const lastLoss = losses[losses.length - 1] as number;
    if (!Number.isFinite(firstLoss) || !Number.isFinite(lastLoss)) throw new LvrError('NUMERIC', `timeTrainStep(${which}): non-finite loss ${firstLoss} / ${lastLoss}`);
    return { case: which, ms: median(times), timesMs: times, trainableParams: trainable, headRows: supervisedRows(full), firstLoss, lastLoss, tensorsBefore, tensorsAfter: tf.memory().numTensors };
  } finally {
    if (which === 'lm') unfreezeModules(model.params, frozen);
  }
}

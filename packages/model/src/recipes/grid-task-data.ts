import * as tf from '@tensorflow/tfjs';
import { LvrError, type Rng } from '@lvr/core';
import {
  boxesToTokenGroups, buildLivrSequence, buildLvrSftSequence, drawChase, drawMajority, patchifyRgb, renderScene, symbolCodebook, addCellCodes,
  symbolTokens, type CollatableSequence, type NormalizedBox, type RgbImage, type Scene, type SymbolCodebook, type LvrTokenizer,
} from '@lvr/data';
import type { ModelConfig } from '../config.js';
import type { MiniQwenVL } from '../models/vlm.js';
import { collateTrainBatch, type TrainExample } from '../training/collate.js';
import type { TrainBatch } from '../training/batch.js';
import { preprocessFor } from './pretrain-data.js';

/**
 * In-memory training data for the reasoning tasks of issue 11 (chase-k, majority): a fresh item per example per
 * step, drawn from the trainer's per-step `Rng` (so exact resume holds), as in the chase pilot. Every arm of the
 * study sees the same items for the same seed (same Rng stream); only the sequence format differs.
 */

/** Which task items are drawn, serialisable (it is saved with the model and in job files). */
export type GridTaskSpec =
  | { kind: 'chase'; hops: readonly number[]; legend: boolean }
  | { kind: 'majority' };

/**
 * How a cell reaches the model: rendered pixels through the (frozen) vision tower; perception-free symbols; or
 * `pixels-cell`, the vision tower's tokens plus a fixed per-cell position code (the codebook's `cells` rows). The
 * last is a diagnostic: a ViT with rotary positions only (Qwen2.5-VL's design) leaves a cell's position out of its
 * token's content (`lvr probe`'s cell probe), so a latent that feeds a token back cannot say where it points;
 * the code puts that address into the token and nothing else changes.
 */
export type GridView = 'pixels' | 'symbols' | 'pixels-cell';

/** The training-sequence format of an arm (its loss is chosen separately by the objective). */
export type GridSequence = 'sft' | 'lvr' | 'livr';

/** The fields of a task item that training and evaluation read. */
export interface GridItem {
  readonly question: string;
  readonly options: readonly string[];
  readonly answerIndex: number;
  readonly answerWord: string;
  /** Latent targets in order (chase: the hop cells). */
  readonly rois: readonly NormalizedBox[];
  readonly scene: Scene;
  /** Perception-free board (chase only). */
  readonly symbols?: Int32Array | undefined;
  readonly markedCell?: number | undefined;
  /** Chase: hop count k. */
  readonly hops?: number | undefined;
}

/**
 * Draws one item of a task. Chase items draw k uniformly from `hops`.
 *
 * @example
 * const item = drawGridItem(new Rng(0), { kind: 'chase', hops: [1, 2, 3, 4], legend: false });
 */
export function drawGridItem(rng: Rng, task: GridTaskSpec): GridItem {
  if (task.kind === 'chase') {
    if (task.hops.length === 0) throw new LvrError('CONFIG_INVALID', 'chase task: hops is empty');
    const hops = task.hops[rng.int(task.hops.length)] as number;
    return drawChase(rng, { hops, legend: task.legend });
  }
  return drawMajority(rng, {});
}

/** The perception-free codebook of a study (fixed per `seed`; `scale` ≈ the norm of the base's visual tokens). */
export function gridCodebook(c: Readonly<ModelConfig>, o: { seed: number | string; scale: number }): SymbolCodebook {
  return symbolCodebook({ dim: c.hiddenSize, seed: o.seed, scale: o.scale });
}

/**
 * The median L2 norm of the model's visual tokens over a few chase boards: the scale at which perception-free
 * codebook tokens enter the LM, so they sit in the same regime as the vision tower's output.
 */
export function visualTokenScale(model: MiniQwenVL, rng: Rng, boards = 8): number {
  return medianTokenNorm(model, rng, boards, false);
}

/**
 * The median L2 norm of the model's visual tokens after subtracting each board's mean token: how far cells differ,
 * the scale at which the `pixels-cell` position code is added (so it neither drowns nor vanishes in the content).
 */
export function centredTokenScale(model: MiniQwenVL, rng: Rng, boards = 8): number {
  return medianTokenNorm(model, rng, boards, true);
}

/** Median token norm over `boards` fresh chase boards, each board's mean token subtracted first when `centred`. */
function medianTokenNorm(model: MiniQwenVL, rng: Rng, boards: number, centred: boolean): number {
  const items = Array.from({ length: boards }, () => drawChase(rng, { hops: 1, legend: false }));
  const tokens = encodeScenes(model, items.map((it) => it.scene));
  const d = model.config.hiddenSize;
  const per = tokens.length / d / boards;
  const norms: number[] = [];
  for (let b = 0; b < boards; b++) {
    const mu = new Float64Array(d);
    if (centred) for (let i = 0; i < per; i++) for (let j = 0; j < d; j++) mu[j]! += (tokens[(b * per + i) * d + j] as number) / per;
    for (let i = 0; i < per; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += ((tokens[(b * per + i) * d + j] as number) - (mu[j] as number)) ** 2;
      norms.push(Math.sqrt(s));
    }
  }
  norms.sort((x, y) => x - y);
  return norms[Math.floor(norms.length / 2)] as number;
}

/** Renders scenes and runs them through the (frozen) vision tower: (Σ tokens × D). */
export function encodeScenes(model: MiniQwenVL, scenes: readonly Scene[]): Float32Array {
  const pre = preprocessFor(model.config);
  const v = model.config.vision;
  const images = scenes.map((s) => {
    const img: RgbImage = renderScene(s);
    return { pixelValues: patchifyRgb(img, pre), gridThw: { t: 1, h: img.height / v.patchSize, w: img.width / v.patchSize } };
  });
  return tf.tidy(() => model.encodeImages(images).dataSync() as Float32Array);
}

/** The training sequence of one item in an arm's format (question after the image, the answer as `<answer> w </answer>`). */
export function gridSequence(c: Readonly<ModelConfig>, tokenizer: LvrTokenizer, item: GridItem, format: GridSequence, o: { numLatents?: number } = {}): CollatableSequence {
  const merge = c.vision.spatialMergeSize;
  const grid = { t: 1, h: item.scene.height / c.vision.patchSize, w: item.scene.width / c.vision.patchSize };
  const counts = [(grid.h * grid.w) / (merge * merge)];
  const human = `<image>\n${item.question}`;
  const answer = `<answer> ${item.answerWord} </answer>`;
  if (format === 'livr') {
    return buildLivrSequence({ tokenizer, question: human, answer, imageTokenCounts: counts, numLatents: o.numLatents ?? 16 });
  }
  if (format === 'sft') {
    return buildLvrSftSequence([{ from: 'human', value: human }, { from: 'gpt', value: answer }], { tokenizer, imageTokenCounts: counts, lvrGroups: [] });
  }
  // One span whose latents target the ROI tokens in ROI order (chase: hop 1, hop 2, …; not sorted).
  const group = boxesToTokenGroups(item.rois, grid, { mergeSize: merge }).flat();
  return buildLvrSftSequence([{ from: 'human', value: human }, { from: 'gpt', value: `<lvr>\n${answer}` }], {
    tokenizer, imageTokenCounts: counts, lvrGroups: [group], latentEndToken: true,
  });
}

/** Options of {@link gridBatch}. */
export interface GridBatchOptions {
  task: GridTaskSpec;
  view: GridView;
  format: GridSequence;
  batchSize: number;
  /** Required for the `symbols` and `pixels-cell` views. */
  codebook?: SymbolCodebook | undefined;
  numLatents?: number | undefined;
  livrStage?: 1 | 2 | undefined;
}

/**
 * One training batch of fresh items with the frozen vision tower's tokens (or the codebook's) cached in the batch,
 * so the step trains the LM only.
 *
 * @example
 * const batch = gridBatch(model, tokenizer, rng, { task, view: 'symbols', format: 'lvr', batchSize: 32, codebook });
 */
export function gridBatch(model: MiniQwenVL, tokenizer: LvrTokenizer, rng: Rng, o: GridBatchOptions): TrainBatch {
  const c = model.config;
  const items = Array.from({ length: o.batchSize }, () => drawGridItem(rng, o.task));
  const d = c.hiddenSize;
  let tokens: Float32Array;
  if (o.view === 'symbols') {
    const cb = o.codebook;
    if (!cb) throw new LvrError('CONFIG_INVALID', 'gridBatch: the symbols view needs a codebook');
    tokens = new Float32Array(items.length * 16 * d);
    items.forEach((it, i) => {
      if (!it.symbols || it.markedCell === undefined) throw new LvrError('CONFIG_INVALID', `gridBatch: the ${o.task.kind} task has no perception-free symbols`);
      tokens.set(symbolTokens(cb, it.symbols, it.markedCell), i * 16 * d);
    });
  } else {
    tokens = encodeScenes(model, items.map((it) => it.scene));
    if (o.view === 'pixels-cell') {
      if (!o.codebook) throw new LvrError('CONFIG_INVALID', 'gridBatch: the pixels-cell view needs a codebook (its cell codes)');
      addCellCodes(tokens, o.codebook, tokens.length / d / items.length);
    }
  }
  const perImage = tokens.length / items.length;
  const examples: TrainExample[] = items.map((it, i) => ({
    seq: gridSequence(c, tokenizer, it, o.format, { numLatents: o.numLatents }),
    images: [{ gridThw: { t: 1, h: it.scene.height / c.vision.patchSize, w: it.scene.width / c.vision.patchSize }, tokens: tokens.slice(i * perImage, (i + 1) * perImage) }],
  }));
  return collateTrainBatch(c, examples, { livrStage: o.livrStage });
}

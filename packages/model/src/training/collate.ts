import { LvrError } from '@lvr/core';
import { collateSequences, livrBatchAttentionAllowed, type CollatableSequence, type GridThw } from '@lvr/data';
import type { ModelConfig } from '../config.js';
import type { TrainBatch } from './batch.js';

/** One image of a training example: patch rows for the ViT, or its cached post-merger tokens. */
export interface ExampleImage {
  gridThw: GridThw;
  /** (rows × 3·T·P·P) — when the ViT runs in the step (stage-0 pre-training). */
  pixelValues?: Float32Array | undefined;
  /** (numTokens × D) — post-merger tokens of a frozen ViT, computed once. */
  tokens?: Float32Array | undefined;
}

/** A sequence from `@lvr/data` (`buildLvrSftSequence`, `buildLivrSequence`, …) with its images in order. */
export interface TrainExample {
  seq: CollatableSequence;
  images: readonly ExampleImage[];
}

export interface CollateTrainOptions {
  /** LIVR: 1 = the bottleneck mask (prompt/answer cannot see image tokens), 2 = causal. Omit for non-LIVR. */
  livrStage?: 1 | 2 | undefined;
  /** Longest allowed row; longer rows raise an error (nothing is truncated). */
  maxLength?: number | undefined;
}

/**
 * Pads examples into a `TrainBatch` (right padding): M-RoPE positions with each row's image grids, the LVR
 * teacher-forcing map (each `<|lvr|>` position → the row of the batch's visual-token list it is fed), and
 * LIVR's stage-1 mask. Images must be all pixels or all cached tokens.
 *
 * @example
 * const batch = collateTrainBatch(config, [{ seq, images: [{ gridThw, tokens }] }]);
 */
export function collateTrainBatch(c: Readonly<ModelConfig>, examples: readonly TrainExample[], opts: CollateTrainOptions = {}): TrainBatch {
  if (examples.length === 0) throw new LvrError('INVALID_ARGUMENT', 'collateTrainBatch: no examples');
  const merge = c.vision.spatialMergeSize;
  const collated = collateSequences(examples.map((e) => e.seq), {
    padId: c.tokens.padId,
    side: 'right',
    maxLength: opts.maxLength,
    rope: { imageGridThw: examples.map((e) => e.images.map((i) => i.gridThw)), imagePadId: c.tokens.imagePadId, visionStartId: c.tokens.visionStartId, mergeSize: merge },
  });
  const { batchSize: b, length: l } = collated;
  const allImages = examples.flatMap((e) => e.images);
  const cached = allImages.filter((i) => i.tokens !== undefined).length;
  if (cached !== 0 && cached !== allImages.length) throw new LvrError('INVALID_ARGUMENT', 'collateTrainBatch: mix of cached visual tokens and raw pixels in one batch');
  // Offset of each row's first visual token in the batch's visual-token list.
  const tokenCount = (g: GridThw): number => (g.t * g.h * g.w) / (merge * merge);
  const rowOffset: number[] = [];
  let acc = 0;
  for (const e of examples) {
    rowOffset.push(acc);
    for (const img of e.images) acc += tokenCount(img.gridThw);
  }
  const lvrPos: number[] = [];
  const lvrRows: number[] = [];
  const lvrImgStart: number[] = [];
  const lvrImgCount: number[] = [];
  collated.rows.forEach((row, r) => {
    const positions = row.lvrPositions ?? [];
    const groups = (row.lvrGroups ?? []).flat();
    if (positions.length !== groups.length) {
      throw new LvrError('SHAPE_MISMATCH', `collateTrainBatch: row ${r} has ${positions.length} <|lvr|> tokens but ${groups.length} ROI indices`);
    }
    // ROI indices refer to the row's first image (boxesToTokenGroups on its grid).
    const first = examples[r]?.images[0];
    const count = first ? tokenCount(first.gridThw) : 0;
    positions.forEach((p, k) => {
      lvrPos.push(r * l + p);
      lvrRows.push((rowOffset[r] as number) + (groups[k] as number));
      lvrImgStart.push(rowOffset[r] as number);
      lvrImgCount.push(count);
    });
  });
  let visualTokens: Float32Array | undefined;
  if (cached > 0) {
    visualTokens = new Float32Array(acc * c.hiddenSize);
    let off = 0;
    for (const img of allImages) {
      const t = img.tokens as Float32Array;
      if (t.length !== tokenCount(img.gridThw) * c.hiddenSize) throw new LvrError('SHAPE_MISMATCH', `collateTrainBatch: cached tokens (${t.length} values) do not match grid ${JSON.stringify(img.gridThw)} × D ${c.hiddenSize}`);
      visualTokens.set(t, off);
      off += t.length;
    }
  }
  const allowed = opts.livrStage === 1 ? livrBatchAttentionAllowed(collated, 1) : undefined;
  let numTokens = 0;
  for (const x of collated.attentionMask) numTokens += x;
  return {
    batch: b,
    length: l,
    inputIds: collated.inputIds,
    attentionMask: collated.attentionMask,
    positionIds: collated.positionIds as Int32Array,
    labels: collated.labels,
    images: cached > 0 ? undefined : allImages.map((i) => {
      if (!i.pixelValues) throw new LvrError('INVALID_ARGUMENT', 'collateTrainBatch: image without pixelValues or tokens');
      return { pixelValues: i.pixelValues, gridThw: i.gridThw };
    }),
    visualTokens,
    lvr: lvrPos.length > 0
      ? { positions: Int32Array.from(lvrPos), visualRows: Int32Array.from(lvrRows), imageStart: Int32Array.from(lvrImgStart), imageCount: Int32Array.from(lvrImgCount) }
      : undefined,
    allowed,
    numTokens,
  };
}

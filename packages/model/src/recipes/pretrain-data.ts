import type { Rng } from '@lvr/core';
import {
  CAPTION_PROMPT, buildLvrSftSequence, generateCaptionExample, patchifyRgb, resolveCaptionOptions, resolvePreprocessOptions,
  type CaptionOptions, type LvrTokenizer, type ResolvedPreprocessOptions,
} from '@lvr/data';
import type { ModelConfig } from '../config.js';
import { collateTrainBatch, type TrainExample } from '../training/collate.js';
import type { TrainBatch } from '../training/batch.js';

/** Preprocessing options matching a model's vision config (no resize needed for suite-sized images). */
export function preprocessFor(c: Readonly<ModelConfig>): ResolvedPreprocessOptions {
  return resolvePreprocessOptions({
    patchSize: c.vision.patchSize, mergeSize: c.vision.spatialMergeSize, temporalPatchSize: c.vision.temporalPatchSize,
    minPixels: (c.vision.patchSize * c.vision.spatialMergeSize) ** 2,
  });
}

/**
 * Stage-0 batches: fresh caption scenes drawn from `rng` (so a batch is a deterministic function of the
 * trainer's per-step Rng — exact resume), rendered in memory, patchified, and captioned as
 * "<image>\ndescribe the image ." → "small red circle x1 y2 ; …" in the reference chat format.
 */
export function captionBatch(
  c: Readonly<ModelConfig>,
  tokenizer: LvrTokenizer,
  rng: Rng,
  batchSize: number,
  opts: CaptionOptions = {},
): TrainBatch {
  const resolved = resolveCaptionOptions(opts);
  // A batch is all grid scenes or all free scenes (drawn once per batch with `gridProbability`): grid captions are
  // ~1.5× longer, and a batch is padded to its longest caption, so mixing them per example would pad every batch.
  const capOpts = resolved.gridProbability > 0 && resolved.gridProbability < 1
    ? { ...resolved, gridProbability: rng.next() < resolved.gridProbability ? 1 : 0 }
    : resolved;
  const pre = preprocessFor(c);
  const examples: TrainExample[] = [];
  for (let i = 0; i < batchSize; i++) {
    const ex = generateCaptionExample(rng, capOpts);
    const pixelValues = patchifyRgb(ex.image, pre);
    const g = c.vision;
    const gridThw = { t: 1, h: ex.image.height / g.patchSize, w: ex.image.width / g.patchSize };
    const seq = buildLvrSftSequence(
      [{ from: 'human', value: `<image>\n${CAPTION_PROMPT}` }, { from: 'gpt', value: ex.caption }],
      { tokenizer, imageTokenCounts: [(gridThw.h * gridThw.w) / (g.spatialMergeSize * g.spatialMergeSize)], lvrGroups: [] },
    );
    examples.push({ seq, images: [{ gridThw, pixelValues }] });
  }
  return collateTrainBatch(c, examples);
}

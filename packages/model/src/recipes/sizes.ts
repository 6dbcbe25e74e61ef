import type { LvrModulesConfig, VisionConfig } from '../config.js';

/** Model and image sizes of a recipe (everything except the token ids, which come from the tokenizer). */
export interface ModelSize {
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  mropeSection: [number, number, number];
  vision: Partial<VisionConfig>;
  lvr?: Partial<LvrModulesConfig>;
}

/**
 * Presets. `demo` follows the CPU feasibility study (d = 64, 2 layers, 4 heads, 1-block ViT of width 64 on 8-px
 * patches: a 64-px image is 64 patches → 16 visual tokens; ≈ 0.3 M parameters). `base` is the shipped base
 * (models/base). `tiny` is for tests.
 */
export const MODEL_SIZES: Readonly<Record<'tiny' | 'demo' | 'base' | 'full', ModelSize>> = Object.freeze({
  tiny: {
    hiddenSize: 32, numLayers: 1, numHeads: 2, intermediateSize: 64, mropeSection: [2, 3, 3],
    vision: { patchSize: 8, temporalPatchSize: 2, spatialMergeSize: 2, hiddenSize: 32, depth: 1, numHeads: 2, intermediateSize: 64 },
  },
  demo: {
    hiddenSize: 64, numLayers: 2, numHeads: 4, intermediateSize: 176, mropeSection: [2, 3, 3],
    vision: { patchSize: 8, temporalPatchSize: 2, spatialMergeSize: 2, hiddenSize: 64, depth: 1, numHeads: 4, intermediateSize: 128 },
  },
  /** The shipped base (`models/base`): the `demo` LM (so fine-tuning costs the same) with a 2-block ViT. */
  base: {
    hiddenSize: 64, numLayers: 2, numHeads: 4, intermediateSize: 176, mropeSection: [2, 3, 3],
    vision: { patchSize: 8, temporalPatchSize: 2, spatialMergeSize: 2, hiddenSize: 64, depth: 2, numHeads: 4, intermediateSize: 128 },
  },
  full: {
    hiddenSize: 96, numLayers: 3, numHeads: 4, intermediateSize: 256, mropeSection: [4, 4, 4],
    vision: { patchSize: 8, temporalPatchSize: 2, spatialMergeSize: 2, hiddenSize: 64, depth: 2, numHeads: 4, intermediateSize: 128 },
  },
});

/**
 * Caption mix of the shipped base (`--size base`): half the scenes are grid scenes (the chase board, one marked
 * object), and half the free scenes mark one object, so the base sees the `marked` frame in both layouts.
 */
export const SHIPPED_BASE_CAPTION = Object.freeze({ gridProbability: 0.5, markProbability: 0.5 });

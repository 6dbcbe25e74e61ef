import { Rng } from '@lvr/core';
import { LvrTokenizer, addLivrLatentTokens, addLvrTokens, createWordLevelTokenizerJson } from '@lvr/data';
import type { StepImage } from '@lvr/decoding';
import { patchRowWidth, resolveModelConfig, type ModelConfig } from '../config.js';
import { modelConfigFor } from '../recipes/model-config.js';
import { MODEL_SIZES, type ModelSize } from '../recipes/sizes.js';

/**
 * Test fixtures of the ONNX backend (not exported from the package): the tokenizer and config of a tiny model
 * built the way the recipes build them, and random images.
 */

/** A word-level tokenizer with the LVR tokens and 4 LIVR latent tokens. */
export function onnxTestTokenizerJson(): Record<string, unknown> {
  const words = ['red', 'green', 'blue', 'circle', 'square', 'left', 'right', 'what', 'is', 'the', 'colour', 'yes', 'no'];
  return addLivrLatentTokens(addLvrTokens(createWordLevelTokenizerJson({ words })), 4);
}

/**
 * `modelConfigFor(MODEL_SIZES.tiny + over, tokenizer)`, with a larger init scale (default 0.2) so random weights
 * give peaked attention and logits — parity tests then notice small mistakes.
 */
export function onnxTestConfig(tokenizerJson: Record<string, unknown>, over: Partial<ModelSize> = {}, initializerRange = 0.2): Readonly<ModelConfig> {
  const base = modelConfigFor({ ...MODEL_SIZES.tiny, ...over }, LvrTokenizer.fromJson(tokenizerJson));
  return resolveModelConfig({ ...base, initializerRange });
}

/** A random image (normal pixel values) of a grid, in the Qwen patch-row layout width. */
export function randomImage(c: ModelConfig, seed: number, grid: { t: number; h: number; w: number }): StepImage {
  const rng = new Rng(seed);
  const n = grid.t * grid.h * grid.w * patchRowWidth(c.vision);
  return { pixelValues: Float32Array.from({ length: n }, () => rng.normal()), gridThw: grid };
}

/** A prompt: text ids, then `<|vision_start|>`, one `<|image_pad|>` per visual token, `<|vision_end|>`, more text. */
export function promptWithImage(c: ModelConfig, before: readonly number[], tokens: number, after: readonly number[]): Int32Array {
  const t = c.tokens;
  return Int32Array.from([...before, t.visionStartId, ...new Array<number>(tokens).fill(t.imagePadId), t.visionEndId, ...after]);
}

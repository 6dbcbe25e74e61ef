import * as tf from '@tensorflow/tfjs';
import { resolveModelConfig, type ModelConfig, type ModelConfigInput } from './config.js';

/**
 * Test helpers (not exported from the package root): a tiny config whose token ids sit in a 40-word
 * vocabulary, and a tensor-leak assertion.
 */
export const TINY_TOKENS = {
  padId: 0, imagePadId: 1, visionStartId: 2, visionEndId: 3, eosId: 4,
  lvrStartId: 5, lvrId: 6, lvrLatentEndId: 7, lvrEndId: 8, latentIds: [9, 10, 11, 12],
} as const;

export function tinyConfig(over: Partial<ModelConfigInput> = {}): Readonly<ModelConfig> {
  return resolveModelConfig({
    hiddenSize: 16, numLayers: 2, numHeads: 2, intermediateSize: 24, vocabSize: 40, mropeSection: [1, 1, 2],
    vision: { patchSize: 4, temporalPatchSize: 2, spatialMergeSize: 2, hiddenSize: 16, depth: 1, numHeads: 2, intermediateSize: 24 },
    initializerRange: 0.2,
    ...over,
    tokens: { ...TINY_TOKENS, latentIds: [...TINY_TOKENS.latentIds], ...(over.tokens ?? {}) },
  });
}

/** Runs `fn` and asserts that `tf.memory().numTensors` is unchanged afterwards. */
export async function expectNoLeak(fn: () => unknown | Promise<unknown>, o: { warmup?: boolean } = {}): Promise<void> {
  // warmup: run fn once first, so process-wide caches it creates on first use (the RoPE rotation matrices of a
  // head size, kept for the process) are not counted — a test must pass alone, not only after others warmed them.
  if (o.warmup) await fn();
  const before = tf.memory().numTensors;
  await fn();
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`tensor leak: ${before} tensors before, ${after} after`);
}

/** Max |a − b| over two equal-length arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

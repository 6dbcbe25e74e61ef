import * as tf from '@tensorflow/tfjs';
import { LvrError, Rng } from '@lvr/core';
import { resolveModelConfig, type ModelConfig } from '../config.js';
import { gatherRows } from '../ops/gather-rows.js';
import { disposeParams } from '../train/param-store.js';
import { initParams, param } from './params.js';
import { MiniQwenVL } from './vlm.js';

/** Name of the Pause-K parameter (P × D) in the store and in `model.safetensors`. */
export const PAUSE_EMBEDDING_PARAM = 'lvr_pause_emb';

/**
 * Row of `lvr_pause_emb` fed at each latent: min(t, P − 1), t = the latent's index inside its span
 * (`spanIndex`, 0-based).
 *
 * @example
 * pauseRowIndex(Int32Array.of(0, 1, 2, 0), 2); // [0, 1, 1, 0]
 */
export function pauseRowIndex(spanIndex: Int32Array, pauseTokens: number): Int32Array {
  if (!(Number.isInteger(pauseTokens) && pauseTokens > 0)) throw new LvrError('CONFIG_INVALID', `pause feedback needs lvr.pauseTokens ≥ 1, got ${pauseTokens}`);
  return spanIndex.map((t) => Math.min(t, pauseTokens - 1));
}

/**
 * The input rows (n, D) of the `pause` feedback for latents at span indices `spanIndex` — a differentiable gather
 * of `lvr_pause_emb`, so training moves the table. Call inside `tf.tidy` / `tf.variableGrads`.
 */
export function pauseRows(model: MiniQwenVL, spanIndex: Int32Array): tf.Tensor2D {
  const p = model.config.lvr.pauseTokens;
  if (p === 0) throw new LvrError('CONFIG_INVALID', `the pause latent feedback needs a model with lvr.pauseTokens ≥ 1 (parameter ${PAUSE_EMBEDDING_PARAM})`);
  return gatherRows(param(model.params, PAUSE_EMBEDDING_PARAM) as tf.Tensor2D, pauseRowIndex(spanIndex, p));
}

/**
 * `model` with P pause embeddings. A model that already has P is returned as is; one without gets a fresh,
 * seeded `lvr_pause_emb` (the init of `initParams(config, new Rng(seed))`, i.e. like the token embeddings), the
 * other weights copied, and the input model's variables disposed. A different existing P is an error.
 *
 * @example
 * const model = withPauseTokens((await loadModel(baseDir)).model, 4, seed); // base checkpoints have no lvr_pause_emb
 */
export function withPauseTokens(model: MiniQwenVL, pauseTokens: number, seed: number): MiniQwenVL {
  const have = model.config.lvr.pauseTokens;
  if (have === pauseTokens) return model;
  if (have !== 0) throw new LvrError('CONFIG_INVALID', `the model already has ${have} pause embeddings; asked for ${pauseTokens}`);
  const config = resolveModelConfig({ ...(model.config as ModelConfig), lvr: { ...model.config.lvr, pauseTokens } });
  const params = initParams(config, new Rng(seed));
  for (const [name, e] of model.params) {
    const dst = params.get(name);
    if (!dst) throw new LvrError('CONFIG_INVALID', `withPauseTokens: parameter ${name} has no counterpart`);
    dst.variable.assign(e.variable);
    dst.trainable = e.trainable;
    dst.variable.trainable = e.variable.trainable;
  }
  disposeParams(model.params);
  return MiniQwenVL.fromParams(config, params);
}

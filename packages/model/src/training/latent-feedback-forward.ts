import type * as tf from '@tensorflow/tfjs';
import { LvrError } from '@lvr/core';
import { gatherRows } from '../ops/gather-rows.js';
import { pauseRows } from '../models/pause-embedding.js';
import type { EmbedOverride, ForwardInput, MiniQwenVL } from '../models/vlm.js';
import { pointerMix, type LatentImages } from './lvr-targets.js';

/**
 * Training forwards of the non-reference latent feedbacks (issue 11; `LatentFeedbackKind`). The reference
 * (`hidden`) and `pointer-argmax` are teacher-forced with the ground-truth ROI tokens (`selfFedForward` with nothing
 * chosen); these two are not:
 * - {@link pauseForward} — one pass; latent t of a span is fed row min(t, P − 1) of `lvr_pause_emb`;
 * - {@link pointerMixForward} — self-fed sequential passes; latent k is fed the pointer mix of the hidden state
 *   one position before it.
 */
export interface FeedbackForwardOutput {
  /** Final-norm hidden states of the last pass (B·L, D). */
  hidden: tf.Tensor2D;
  /** Visual tokens used (Nv, D). */
  visual: tf.Tensor2D;
  /** The vectors fed at `lvr.positions` in the last pass (n, D). */
  fed: tf.Tensor2D;
  /** Forward passes run. */
  passes: number;
}

/**
 * Per latent, its index t inside its span (0 = the latent right after `<|lvr_start|>`), from `latentSpans`.
 *
 * @example
 * spanIndexOf([{ first: 0, count: 3 }, { first: 3, count: 2 }], 5); // [0, 1, 2, 0, 1]
 */
export function spanIndexOf(spans: readonly { first: number; count: number }[], n: number): Int32Array {
  const out = new Int32Array(n).fill(-1);
  for (const s of spans) for (let t = 0; t < s.count; t++) out[s.first + t] = t;
  const bad = out.indexOf(-1);
  if (bad >= 0) throw new LvrError('SHAPE_MISMATCH', `spanIndexOf: latent ${bad} belongs to no span`);
  return out;
}

/**
 * Pause-K: one forward in which latent k is fed row min(spanIndex[k], P − 1) of `lvr_pause_emb` (gradient flows
 * into the table). No visual token and no hidden state is ever fed at a latent. Call inside `tf.tidy` /
 * `tf.variableGrads`.
 *
 * @example
 * const { hidden } = pauseForward(model, input, batch.lvr.positions, spanIndexOf(spans, n));
 */
export function pauseForward(model: MiniQwenVL, input: ForwardInput, positions: Int32Array, spanIndex: Int32Array): FeedbackForwardOutput {
  if (spanIndex.length !== positions.length) throw new LvrError('SHAPE_MISMATCH', `pauseForward: ${spanIndex.length} span indices for ${positions.length} latents`);
  const fed = pauseRows(model, spanIndex);
  const out = model.forward({ ...input, overrides: [...(input.overrides ?? []), { kind: 'rows', positions, rows: fed }] });
  return { hidden: out.hidden, visual: out.visual, fed, passes: 1 };
}

/**
 * Pointer-mix, self-fed: pass 0 runs with the plain `<|lvr|>` embedding at every latent (nothing from the ROI);
 * each later pass feeds latent k with Σ_j softmax(latentFromHidden(h[p_k − 1]) · v_j / √D)_j v_j over its image,
 * h from the previous pass (the first latent of a span reads the `<|lvr_start|>` position). Because attention is
 * causal, pass m fixes the m-th latent of every span, so `passes` = the longest span (the default) reproduces the
 * inference loop exactly; the gradient flows through every mix (Coconut-style). Call inside `tf.tidy` /
 * `tf.variableGrads`.
 *
 * @example
 * const { hidden, fed } = pointerMixForward(model, input, batch.lvr.positions, images, spanIndexOf(spans, n));
 */
export function pointerMixForward(
  model: MiniQwenVL, input: ForwardInput, positions: Int32Array, images: LatentImages, spanIndex: Int32Array, passes?: number,
): FeedbackForwardOutput {
  const n = positions.length;
  if (spanIndex.length !== n) throw new LvrError('SHAPE_MISMATCH', `pointerMixForward: ${spanIndex.length} span indices for ${n} latents`);
  const longest = spanIndex.reduce((m, t) => Math.max(m, t + 1), 0);
  const m = passes ?? longest;
  if (!(Number.isInteger(m) && m >= 1)) throw new LvrError('INVALID_ARGUMENT', `pointerMixForward: passes must be an integer ≥ 1, got ${m}`);
  const extra: readonly EmbedOverride[] = input.overrides ?? [];
  let out = model.forward({ ...input, overrides: extra });
  const prev = positions.map((p) => p - 1);
  let fed: tf.Tensor2D | undefined;
  for (let i = 0; i < m; i++) {
    fed = pointerMix(model.latentFromHidden(gatherRows(out.hidden, prev)), out.visual, images);
    out = model.forward({ ...input, visualTokens: out.visual, images: undefined, overrides: [...extra, { kind: 'rows', positions, rows: fed }] });
  }
  return { hidden: out.hidden, visual: out.visual, fed: fed as tf.Tensor2D, passes: m + 1 };
}

import { LvrError } from '@lvr/core';
import type { LatentFeedbackContext } from './latent-feedback.js';

/**
 * Temperature τ of the pointer: logits are cosine similarities divided by τ, so they span ±1/τ = ±10 whatever the
 * norms of the latent and of the visual tokens (the training loss in `@lvr/model` uses the same constant).
 */
export const POINTER_TEMPERATURE = 0.1;

/**
 * The pointer logits of a latent over its row's visual tokens: `logits_j = cos(latent, v_j − μ) / τ`, μ = the mean
 * of the n tokens (τ = {@link POINTER_TEMPERATURE}; j < n, tokens (n × D) row-major; a zero vector has cosine 0).
 * Keys are centred because a vision tower's tokens share a large common component, which would squeeze every
 * cosine towards the same value. Shared by the pointer feedbacks; the training loss in `@lvr/model` uses the same
 * formula per image.
 *
 * @example
 * pointerLogits(Float32Array.of(1, 0), Float32Array.of(2, 0, 0, 0)); // μ = (1, 0): keys (1, 0), (−1, 0) → [10, −10]
 */
export function pointerLogits(latent: Float32Array, tokens: Float32Array): Float32Array {
  const d = latent.length;
  const n = tokens.length / d;
  let ll = 0;
  for (let k = 0; k < d; k++) ll += (latent[k] as number) ** 2;
  const ln = Math.sqrt(ll + 1e-12);
  const mu = new Float64Array(d); // (D) mean token
  for (let j = 0; j < n; j++) for (let k = 0; k < d; k++) mu[k] = (mu[k] as number) + (tokens[j * d + k] as number) / n;
  const out = new Float32Array(n); // (n)
  for (let j = 0; j < n; j++) {
    let s = 0;
    let vv = 0;
    for (let k = 0; k < d; k++) {
      const v = (tokens[j * d + k] as number) - (mu[k] as number);
      s += (latent[k] as number) * v;
      vv += v * v;
    }
    out[j] = s / (ln * Math.sqrt(vv + 1e-12) * POINTER_TEMPERATURE);
  }
  return out;
}

/** The visual tokens a pointer feedback needs, or a clear error naming the row. */
export function requireVisualTokens(kind: string, ctx: LatentFeedbackContext): Float32Array {
  const v = ctx.visualTokens;
  if (v === undefined || v.length === 0) {
    throw new LvrError('INVALID_ARGUMENT', `latent feedback '${kind}': row ${ctx.row} has no visual tokens to point at; give ` +
      'the request PrefillRow.visualTokens (n × D), or images with a step model that implements encodeImages', { details: { row: ctx.row, kind } });
  }
  return v;
}

/** Index of the largest value (the first on ties). */
export function argmaxIndex(values: Float32Array): number {
  let best = 0;
  for (let j = 1; j < values.length; j++) if ((values[j] as number) > (values[best] as number)) best = j;
  return best;
}

import { LvrError } from '@lvr/core';
import type { LatentFeedbackContext } from './latent-feedback.js';

/**
 * The pointer logits of a latent over its row's visual tokens: `logits_j = latent · v_j / √D` (j < n, tokens
 * (n × D) row-major). Shared by the pointer feedbacks (and the training loss of the issue 11 contract).
 *
 * @example
 * pointerLogits(Float32Array.of(1, 0), Float32Array.of(1, 0, 0, 1)); // [1/√2, 0]
 */
export function pointerLogits(latent: Float32Array, tokens: Float32Array): Float32Array {
  const d = latent.length;
  const n = tokens.length / d;
  const scale = 1 / Math.sqrt(d);
  const out = new Float32Array(n); // (n)
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += (latent[k] as number) * (tokens[j * d + k] as number);
    out[j] = s * scale;
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

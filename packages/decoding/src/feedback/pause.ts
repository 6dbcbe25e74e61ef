import { LvrError } from '@lvr/core';
import type { LatentFeedback, LatentFeedbackContext } from './latent-feedback.js';

/**
 * `pause` — feed row `min(t, P − 1)` of a learned pause table (P × D row-major; the model folder's
 * `lvr_pause_emb`), t = the latent's index within its span. The model's latent is ignored (a "pause token" control:
 * extra positions of compute, no information fed back).
 *
 * @example
 * await generate(model, requests, { feedback: { kind: 'pause', table } }); // table: Float32Array of P·D values
 */
export function pauseFeedback(table: Float32Array): LatentFeedback {
  if (!(table instanceof Float32Array) || table.length === 0) {
    throw new LvrError('CONFIG_INVALID', `latent feedback 'pause': table must be a non-empty Float32Array (P × D), got ${table instanceof Float32Array ? 'an empty one' : typeof table}`, { details: { field: 'feedback.table' } });
  }
  const i = table.findIndex((x) => !Number.isFinite(x));
  if (i >= 0) throw new LvrError('NUMERIC', `latent feedback 'pause': table value ${i} is ${table[i]}`, { details: { field: 'feedback.table', index: i } });
  const owned = table.slice();
  return Object.freeze({
    kind: 'pause',
    needsVisualTokens: false,
    check: (d: number) => {
      if (owned.length % d !== 0) {
        throw new LvrError('CONFIG_INVALID', `latent feedback 'pause': table has ${owned.length} values, not a multiple of the model's hidden size ${d} (P × D)`, { details: { field: 'feedback.table' } });
      }
    },
    feed: (ctx: LatentFeedbackContext) => {
      const d = ctx.latent.length;
      const p = owned.length / d;
      const t = Math.min(ctx.step, p - 1);
      return { vector: owned.subarray(t * d, (t + 1) * d) };
    },
  });
}

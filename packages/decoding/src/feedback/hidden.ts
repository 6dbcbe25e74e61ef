import type { LatentFeedback, LatentFeedbackContext } from './latent-feedback.js';

/**
 * `hidden` — the LVR reference: the model's latent output (its final hidden state, through the LVR head if any) is
 * fed back as is. The default of `generate`.
 *
 * @example
 * await generate(model, requests, { feedback: hiddenFeedback() }); // same as no feedback option
 */
export function hiddenFeedback(): LatentFeedback {
  return Object.freeze({ kind: 'hidden', needsVisualTokens: false, feed: (ctx: LatentFeedbackContext) => ({ vector: ctx.latent }) });
}

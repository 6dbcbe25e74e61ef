import type { LatentFeedback, LatentFeedbackContext } from './latent-feedback.js';
import { argmaxIndex, pointerLogits, requireVisualTokens } from './pointer-logits.js';

/**
 * `pointer-argmax` — feed the row's visual token v_j with the largest pointer logit `latent · v_j / √D` (the first
 * on ties); the trace records j in `LatentSpan.pointer`.
 *
 * @example
 * await generate(model, [{ prompt: { inputIds, images } }], { feedback: 'pointer-argmax', strategy: { kind: 'fixed', steps: 3 } });
 */
export function pointerArgmaxFeedback(): LatentFeedback {
  return Object.freeze({
    kind: 'pointer-argmax',
    needsVisualTokens: true,
    feed: (ctx: LatentFeedbackContext) => {
      const tokens = requireVisualTokens('pointer-argmax', ctx);
      const d = ctx.latent.length;
      const j = argmaxIndex(pointerLogits(ctx.latent, tokens));
      return { vector: tokens.slice(j * d, (j + 1) * d), pointer: j };
    },
  });
}

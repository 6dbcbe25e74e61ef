import type { LatentFeedback, LatentFeedbackContext } from './latent-feedback.js';
import { argmaxIndex, pointerLogits, requireVisualTokens } from './pointer-logits.js';

/**
 * `pointer-mix` — feed the softmax mixture of the row's visual tokens, `Σ_j softmax(latent · v / √D)_j v_j`
 * (computed in float64); the trace records the argmax j in `LatentSpan.pointer`.
 *
 * @example
 * await generate(model, [{ prompt: { inputIds, images } }], { feedback: 'pointer-mix' });
 */
export function pointerMixFeedback(): LatentFeedback {
  return Object.freeze({
    kind: 'pointer-mix',
    needsVisualTokens: true,
    feed: (ctx: LatentFeedbackContext) => {
      const tokens = requireVisualTokens('pointer-mix', ctx);
      const d = ctx.latent.length;
      const logits = pointerLogits(ctx.latent, tokens);
      const n = logits.length;
      const j = argmaxIndex(logits);
      const max = logits[j] as number;
      const w = new Float64Array(n);
      let z = 0;
      for (let i = 0; i < n; i++) z += (w[i] = Math.exp((logits[i] as number) - max));
      const acc = new Float64Array(d);
      for (let i = 0; i < n; i++) {
        const p = (w[i] as number) / z;
        for (let k = 0; k < d; k++) acc[k] = (acc[k] as number) + p * (tokens[i * d + k] as number);
      }
      return { vector: Float32Array.from(acc), pointer: j };
    },
  });
}

import type { StopStrategy } from './stop-strategy.js';
import { tokenProbabilityStrategy, type TokenProbabilityConfig } from './token-probability.js';

/**
 * `end-prob` — adaptive (in none of the papers): stop when the LM head's probability of `<|lvr_end|>` (softmax of
 * the raw logits, T = 1, before any sampling processor) exceeds p. A softer version of `mode-switch` that does not
 * depend on the sampler, with a minimum span length that prevents the 0-step collapse the LVR paper reports for
 * its mode-switch variant.
 *
 * **Arguments**: `p` ∈ (0, 1) (default 0.5), `minSteps` (default 1), `maxSteps` (default: the loop's
 * `maxLatentSteps`), `forceEnd` (default false).
 *
 * **Output changes**: the span ends at the first decision point with at least `minSteps` fed vectors where
 * P(`<|lvr_end|>`) > p; text resumes with the sampled token (or `<|lvr_end|>` with `forceEnd`).
 *
 * **Compatibility**: any model whose LM head has learned `<|lvr_end|>`.
 *
 * @example
 * createStopStrategy({ kind: 'end-prob', p: 0.3, maxSteps: 16, forceEnd: true });
 */
export interface EndProbConfig extends TokenProbabilityConfig {
  readonly kind: 'end-prob';
}

/** Builds the `end-prob` strategy (see {@link EndProbConfig}). */
export function endProbStrategy(config: EndProbConfig): StopStrategy {
  return tokenProbabilityStrategy({ ...config, kind: 'end-prob' }, (t) => [t.lvrEndId]);
}

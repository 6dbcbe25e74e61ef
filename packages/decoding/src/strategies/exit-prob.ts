import type { StopStrategy } from './stop-strategy.js';
import { tokenProbabilityStrategy, type TokenProbabilityConfig } from './token-probability.js';

/**
 * `exit-prob` — adaptive (in none of the papers; added by the LVR ablation): stop when the LM head's probability of
 * leaving latent mode, P(`<|lvr_latent_end|>`) + P(`<|lvr_end|>`) (softmax of the raw logits, T = 1, before any
 * sampling processor), exceeds p. LVR training data puts `<|lvr_latent_end|>` right after the last latent (the
 * reference's format), so that is the exit signal cross-entropy trains; `end-prob` watches `<|lvr_end|>` alone,
 * which such models rarely predict at a latent position.
 *
 * **Arguments**: `p` ∈ (0, 1) (default 0.5), `minSteps` (default 1), `maxSteps` (default: the loop's
 * `maxLatentSteps`), `forceEnd` (default false).
 *
 * **Output changes**: the span ends at the first decision point with at least `minSteps` fed vectors where the
 * summed probability exceeds p; text resumes with the sampled token (or `<|lvr_end|>` with `forceEnd`).
 *
 * **Compatibility**: any model whose LM head has learned `<|lvr_latent_end|>` or `<|lvr_end|>` after latents.
 *
 * @example
 * createStopStrategy({ kind: 'exit-prob', p: 0.5, maxSteps: 16, forceEnd: true }); // the ablation's setting
 * parseStrategySpec('exit-prob:0.5:16:force-end'); // the same from the command line
 */
export interface ExitProbConfig extends TokenProbabilityConfig {
  readonly kind: 'exit-prob';
}

/** Builds the `exit-prob` strategy (see {@link ExitProbConfig}). */
export function exitProbStrategy(config: ExitProbConfig): StopStrategy {
  return tokenProbabilityStrategy({ ...config, kind: 'exit-prob' }, (t) => [t.lvrLatentEndId, t.lvrEndId]);
}

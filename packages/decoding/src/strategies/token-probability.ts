import { softmax } from '../sampling/logits-processors.js';
import type { DecodingTokenIds } from '../step-model.js';
import type { StopStrategy } from './stop-strategy.js';
import { boolField, intField, numberField, optionalIntField } from './validate.js';

/**
 * The fields shared by the strategies that watch the LM head's probability of leaving latent mode: `p`, `minSteps`,
 * `maxSteps`, `forceEnd` (see `end-prob` for their defaults).
 */
export interface TokenProbabilityConfig {
  readonly kind: string;
  readonly p?: number | undefined;
  readonly minSteps?: number | undefined;
  readonly maxSteps?: number | undefined;
  readonly forceEnd?: boolean | undefined;
}

/**
 * Builds a strategy that exits at the first decision point with at least `minSteps` fed vectors where the summed
 * softmax probability (raw logits, T = 1, before any sampling processor) of the tokens `watched(ids)` exceeds `p`.
 * The common body of `end-prob` (`<|lvr_end|>`) and `exit-prob` (`<|lvr_latent_end|>` + `<|lvr_end|>`); the
 * config is validated with messages naming `kind`.
 *
 * @example
 * tokenProbabilityStrategy({ kind: 'end-prob', p: 0.5 }, (t) => [t.lvrEndId]);
 */
export function tokenProbabilityStrategy(
  config: TokenProbabilityConfig, watched: (tokens: DecodingTokenIds) => readonly number[],
): StopStrategy {
  const kind = config.kind;
  const p = numberField(kind, 'p', config.p, 0.5, 0, 1, { lo: true, hi: true });
  const minSteps = intField(kind, 'minSteps', config.minSteps, 0, 1);
  const maxSteps = optionalIntField(kind, 'maxSteps', config.maxSteps, 1);
  const forceEnd = boolField(kind, 'forceEnd', config.forceEnd);
  const strategy: StopStrategy = {
    kind,
    needs: Object.freeze({}),
    maxSteps,
    forceEnd,
    decide: (ctx) => {
      if (ctx.steps < minSteps) return 'continue';
      const probs = softmax(ctx.logits);
      let mass = 0;
      for (const id of watched(ctx.tokens)) mass += probs[id] ?? 0;
      return mass > p ? 'exit' : 'continue';
    },
  };
  return Object.freeze(strategy);
}

import { softmax } from '../sampling/logits-processors.js';
import type { StopStrategy } from './stop-strategy.js';
import { boolField, intField, numberField, optionalIntField } from './validate.js';

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
export interface EndProbConfig {
  readonly kind: 'end-prob';
  readonly p?: number | undefined;
  readonly minSteps?: number | undefined;
  readonly maxSteps?: number | undefined;
  readonly forceEnd?: boolean | undefined;
}

/** Builds the `end-prob` strategy (see {@link EndProbConfig}). */
export function endProbStrategy(config: EndProbConfig): StopStrategy {
  const p = numberField('end-prob', 'p', config.p, 0.5, 0, 1, { lo: true, hi: true });
  const minSteps = intField('end-prob', 'minSteps', config.minSteps, 0, 1);
  const maxSteps = optionalIntField('end-prob', 'maxSteps', config.maxSteps, 1);
  const forceEnd = boolField('end-prob', 'forceEnd', config.forceEnd);
  const strategy: StopStrategy = {
    kind: 'end-prob',
    needs: Object.freeze({}),
    maxSteps,
    forceEnd,
    decide: (ctx) => {
      if (ctx.steps < minSteps) return 'continue';
      const prob = softmax(ctx.logits)[ctx.tokens.lvrEndId] ?? 0;
      return prob > p ? 'exit' : 'continue';
    },
  };
  return Object.freeze(strategy);
}

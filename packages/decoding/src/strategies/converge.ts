import { cosineSimilarity } from './distance.js';
import type { StopStrategy } from './stop-strategy.js';
import { boolField, intField, numberField, optionalIntField } from './validate.js';

/**
 * `converge` — adaptive (in none of the papers): stop when successive fed latents stop changing, i.e. the cosine
 * similarity of the last two fed vectors exceeds τ. The idea: once the latent recurrence reaches a fixed point,
 * more steps add no information.
 *
 * **Arguments**: `threshold` τ ∈ (−1, 1] (default 0.99), `minSteps` (default 2; convergence needs two fed
 * vectors, so values below 2 act as 2), `maxSteps` (default: the loop's `maxLatentSteps`), `forceEnd` (default
 * false).
 *
 * **Output changes**: the span ends after the first fed vector whose cosine with its predecessor is > τ (that
 * vector is fed); text resumes with the token sampled there (or `<|lvr_end|>` with `forceEnd`).
 *
 * **Compatibility**: any model; compare against `fixed` N with the eval sweep.
 *
 * @example
 * createStopStrategy({ kind: 'converge', threshold: 0.995, maxSteps: 16 });
 */
export interface ConvergeConfig {
  readonly kind: 'converge';
  readonly threshold?: number | undefined;
  readonly minSteps?: number | undefined;
  readonly maxSteps?: number | undefined;
  readonly forceEnd?: boolean | undefined;
}

/** Builds the `converge` strategy (see {@link ConvergeConfig}). */
export function convergeStrategy(config: ConvergeConfig): StopStrategy {
  const threshold = numberField('converge', 'threshold', config.threshold, 0.99, -1, 1, { lo: true });
  const minSteps = Math.max(2, intField('converge', 'minSteps', config.minSteps, 0, 2));
  const maxSteps = optionalIntField('converge', 'maxSteps', config.maxSteps, 1);
  const forceEnd = boolField('converge', 'forceEnd', config.forceEnd);
  const strategy: StopStrategy = {
    kind: 'converge',
    needs: Object.freeze({}),
    maxSteps,
    forceEnd,
    decide: (ctx) => {
      if (ctx.steps < minSteps) return 'continue';
      const last = ctx.fedVectors[ctx.steps - 1];
      const prev = ctx.fedVectors[ctx.steps - 2];
      if (last === undefined || prev === undefined) return 'continue';
      return cosineSimilarity(last, prev) > threshold ? 'exit' : 'continue';
    },
  };
  return Object.freeze(strategy);
}

import { DISTANCE_CRITERIA, latentDistance, type DistanceCriterion } from './distance.js';
import type { StopStrategy } from './stop-strategy.js';
import { boolField, enumField, intField, numberField } from './validate.js';

/**
 * `latent-end` — the reference's "latent" strategy: stop when the vector just fed is close to the learned
 * `<|lvr_latent_end|>` embedding E.
 *
 * **Arguments**: `threshold` τ (default 0.02), `criterion` `'mse' | 'mae' | 'cosine'` (default `'mse'`),
 * `maxSteps` M (default 16), `forceEnd` (default false).
 *
 * **Output changes**: if the j-th fed vector is the first with d(vector, E) < τ, the span has exactly j latent
 * inputs (the near-E vector is fed once, as in training) and text resumes with the token sampled at that step;
 * otherwise the span ends after M inputs (stop reason `'budget'`). The distance is per row (the reference's
 * cosine averages over the batch); the entry decision never exits (nothing has been fed yet).
 *
 * **Compatibility**: models trained with the latent-end token (`model.latentEndEmbedding` required).
 *
 * @example
 * createStopStrategy({ kind: 'latent-end', threshold: 0.02, maxSteps: 16 });
 */
export interface LatentEndConfig {
  readonly kind: 'latent-end';
  readonly threshold?: number | undefined;
  readonly criterion?: DistanceCriterion | undefined;
  readonly maxSteps?: number | undefined;
  readonly forceEnd?: boolean | undefined;
}

/** Builds the `latent-end` strategy (see {@link LatentEndConfig}). */
export function latentEndStrategy(config: LatentEndConfig): StopStrategy {
  const threshold = numberField('latent-end', 'threshold', config.threshold, 0.02, 0, Number.MAX_VALUE, { lo: true });
  const criterion = enumField('latent-end', 'criterion', config.criterion, DISTANCE_CRITERIA, 'mse');
  const maxSteps = intField('latent-end', 'maxSteps', config.maxSteps, 1, 16);
  const forceEnd = boolField('latent-end', 'forceEnd', config.forceEnd);
  const strategy: StopStrategy = {
    kind: 'latent-end',
    needs: Object.freeze({ latentEndEmbedding: true }),
    maxSteps,
    forceEnd,
    decide: (ctx) => {
      const fed = ctx.fedVectors[ctx.steps - 1];
      const end = ctx.latentEndEmbedding;
      if (fed === undefined || end === undefined) return 'continue';
      return latentDistance(fed, end, criterion) < threshold ? 'exit' : 'continue';
    },
  };
  return Object.freeze(strategy);
}

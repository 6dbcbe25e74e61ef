import type { StopStrategy } from './stop-strategy.js';
import { boolField, intField } from './validate.js';

/**
 * `fixed` — the reference's "steps" strategy (LVR evaluation with N ∈ {4, 8, 16}, GRPO with N = 8).
 *
 * **Arguments**: `steps` N (integer ≥ 0); `forceEnd` (default false).
 *
 * **Output changes**: `<|lvr_start|>` is fed as a token, then exactly N latent vectors, then text resumes with
 * the token the LM head sampled at the N-th latent position (reference behaviour) — or `<|lvr_end|>` with
 * `forceEnd`, which removes the train/test mismatch of a model that was trained to close every span with it.
 * Every new `<|lvr_start|>` starts a fresh budget of N.
 *
 * **Compatibility**: any model (needs nothing beyond the step contract).
 *
 * @example
 * createStopStrategy({ kind: 'fixed', steps: 8, forceEnd: true });
 */
export interface FixedStepsConfig {
  readonly kind: 'fixed';
  readonly steps: number;
  readonly forceEnd?: boolean | undefined;
}

/** Builds the `fixed` strategy (see {@link FixedStepsConfig}). */
export function fixedStepsStrategy(config: FixedStepsConfig): StopStrategy {
  const steps = intField('fixed', 'steps', config.steps, 0);
  const forceEnd = boolField('fixed', 'forceEnd', config.forceEnd);
  const strategy: StopStrategy = {
    kind: 'fixed',
    needs: Object.freeze({}),
    maxSteps: steps,
    forceEnd,
    decide: (ctx) => (ctx.steps >= steps ? 'exit' : 'continue'),
  };
  return Object.freeze(strategy);
}

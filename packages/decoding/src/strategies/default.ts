import type { FixedStepsConfig } from './fixed.js';

/**
 * The spec of {@link DEFAULT_STOP_STRATEGY}, for command lines and help texts (`--strategy` defaults to it).
 *
 * @example
 * parseStrategySpec(DEFAULT_STOP_STRATEGY_SPEC); // { kind: 'fixed', steps: 8, forceEnd: true }
 */
export const DEFAULT_STOP_STRATEGY_SPEC = 'fixed:8:force-end';

/**
 * The one default stop strategy: exactly 8 latent steps per span, then a forced `<|lvr_end|>` (`fixed:8:force-end`).
 * `generate` uses it when `options.strategy` is absent, and so do `@lvr/eval`'s `evaluateItems`, `lvr infer` and
 * `lvr eval`, so one question gets the same answer from each of them.
 *
 * Why force the end: models trained on the reference's format close every span with
 * `<|lvr_latent_end|><|lvr_end|>`; the reference's "steps" decoding resumes with whatever the LM head sampled at
 * the last latent position instead, a train/test mismatch. N = 8 is the reference's evaluation and GRPO setting.
 * The reference's own behaviour is `fixed:8` (no `force-end`); GRPO_latent's rollouts keep it (`@lvr/rl` config).
 *
 * @example
 * await generate(model, requests); // = { strategy: DEFAULT_STOP_STRATEGY }
 * await generate(model, requests, { strategy: { ...DEFAULT_STOP_STRATEGY, steps: 4 } });
 */
export const DEFAULT_STOP_STRATEGY: FixedStepsConfig = Object.freeze({ kind: 'fixed', steps: 8, forceEnd: true });

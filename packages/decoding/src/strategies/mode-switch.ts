import { argmax } from '../sampling/logits-processors.js';
import type { StopStrategy } from './stop-strategy.js';
import { boolField, enumField, optionalIntField } from './validate.js';

/** How `mode-switch` reads the LM head's wish to close the span. */
export type ModeSwitchRule = 'sampled' | 'argmax' | 'logit';

/** The rules {@link modeSwitchStrategy} accepts. */
export const MODE_SWITCH_RULES: readonly ModeSwitchRule[] = Object.freeze(['sampled', 'argmax', 'logit']);

/**
 * `mode-switch` — the reference's default strategy, now bounded: exit when the LM head picks `<|lvr_end|>`.
 *
 * **Arguments**: `rule` (default `'sampled'`): `'sampled'` = the sampled token is `<|lvr_end|>` (reference);
 * `'argmax'` = the raw argmax is `<|lvr_end|>` (independent of sampling); `'logit'` = the raw `<|lvr_end|>`
 * logit is > 0, i.e. the mode-switch BCE head says "end" with probability > ½. `maxSteps` (default: the loop's
 * `maxLatentSteps`), `forceEnd` (default false; with `'sampled'` it only matters for budget exits).
 *
 * **Output changes**: the span ends at the first decision point where the rule fires — already at the entry
 * decision (0 latent steps) when `<|lvr_end|>` is chosen right after `<|lvr_start|>`. Unlike the reference, a
 * row that never chooses `<|lvr_end|>` stops at the budget instead of looping forever.
 *
 * **Compatibility**: any model; meaningful for models trained with the mode-switch loss or on data where
 * `<|lvr_end|>` follows the latents.
 *
 * @example
 * createStopStrategy({ kind: 'mode-switch', rule: 'logit', maxSteps: 16 });
 */
export interface ModeSwitchConfig {
  readonly kind: 'mode-switch';
  readonly rule?: ModeSwitchRule | undefined;
  readonly maxSteps?: number | undefined;
  readonly forceEnd?: boolean | undefined;
}

/** Builds the `mode-switch` strategy (see {@link ModeSwitchConfig}). */
export function modeSwitchStrategy(config: ModeSwitchConfig): StopStrategy {
  const rule = enumField('mode-switch', 'rule', config.rule, MODE_SWITCH_RULES, 'sampled');
  const maxSteps = optionalIntField('mode-switch', 'maxSteps', config.maxSteps, 1);
  const forceEnd = boolField('mode-switch', 'forceEnd', config.forceEnd);
  const strategy: StopStrategy = {
    kind: 'mode-switch',
    needs: Object.freeze({}),
    maxSteps,
    forceEnd,
    decide: (ctx) => {
      const endId = ctx.tokens.lvrEndId;
      const fired = rule === 'sampled' ? ctx.sampledToken === endId
        : rule === 'argmax' ? argmax(ctx.logits) === endId
          : (ctx.logits[endId] ?? Number.NEGATIVE_INFINITY) > 0;
      return fired ? 'exit' : 'continue';
    },
  };
  return Object.freeze(strategy);
}

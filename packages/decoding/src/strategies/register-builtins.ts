import { convergeStrategy, type ConvergeConfig } from './converge.js';
import { DISTANCE_CRITERIA } from './distance.js';
import { endProbStrategy, type EndProbConfig } from './end-prob.js';
import { exitProbStrategy, type ExitProbConfig } from './exit-prob.js';
import { fixedStepsStrategy, type FixedStepsConfig } from './fixed.js';
import { latentEndStrategy, type LatentEndConfig } from './latent-end.js';
import { MODE_SWITCH_RULES, modeSwitchStrategy, type ModeSwitchConfig } from './mode-switch.js';
import { readSpecArgs, type SpecLayout } from './spec-args.js';
import type { StopStrategy } from './stop-strategy.js';

/** One built-in registration. */
export interface BuiltinStopStrategy {
  readonly kind: string;
  readonly factory: (config: never) => StopStrategy;
  readonly options: {
    readonly description: string;
    readonly usage: string;
    readonly fromSpec: (args: readonly string[], spec: string) => { readonly kind: string };
  };
}

const FORCE_END = { 'force-end': 'forceEnd' } as const;

function builtin<C extends { readonly kind: string }>(
  kind: C['kind'], factory: (config: C) => StopStrategy, description: string, usage: string, layout: SpecLayout,
): BuiltinStopStrategy {
  return {
    kind,
    factory: factory as (config: never) => StopStrategy,
    options: { description, usage, fromSpec: (args, spec) => ({ ...readSpecArgs(spec, args, { ...layout, closed: true }), kind }) },
  };
}

/**
 * The built-in strategies, in listing order. The registry installs them when it is first used (no import-time
 * side effects, so `sideEffects: false` stays true).
 */
export function builtinStopStrategies(): readonly BuiltinStopStrategy[] {
  return [
    builtin<FixedStepsConfig>('fixed', fixedStepsStrategy, 'exactly N latent steps per span (reference "steps")',
      'fixed:N[:force-end]', { positional: ['steps'], flags: FORCE_END }),
    builtin<LatentEndConfig>('latent-end', latentEndStrategy, 'stop when the fed latent is within τ of the learned end embedding',
      'latent-end[:TAU[:MAXSTEPS]][:mse|mae|cosine][:force-end]',
      { positional: ['threshold', 'maxSteps'], words: { criterion: DISTANCE_CRITERIA }, flags: FORCE_END }),
    builtin<ModeSwitchConfig>('mode-switch', modeSwitchStrategy, 'stop when the LM head picks <|lvr_end|> (reference default)',
      'mode-switch[:MAXSTEPS][:sampled|argmax|logit][:force-end]',
      { positional: ['maxSteps'], words: { rule: MODE_SWITCH_RULES }, flags: FORCE_END }),
    builtin<ConvergeConfig>('converge', convergeStrategy, 'stop when successive fed latents converge (cosine > τ)',
      'converge[:TAU[:MAXSTEPS[:MINSTEPS]]][:force-end]', { positional: ['threshold', 'maxSteps', 'minSteps'], flags: FORCE_END }),
    builtin<EndProbConfig>('end-prob', endProbStrategy, 'stop when P(<|lvr_end|>) exceeds p',
      'end-prob[:P[:MAXSTEPS[:MINSTEPS]]][:force-end]', { positional: ['p', 'maxSteps', 'minSteps'], flags: FORCE_END }),
    builtin<ExitProbConfig>('exit-prob', exitProbStrategy, 'stop when P(<|lvr_latent_end|>) + P(<|lvr_end|>) exceeds p',
      'exit-prob[:P[:MAXSTEPS[:MINSTEPS]]][:force-end]', { positional: ['p', 'maxSteps', 'minSteps'], flags: FORCE_END }),
  ];
}

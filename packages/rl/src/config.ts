import { LvrError } from '@lvr/core';
import { createStopStrategy, resolveSamplerConfig, type ResolvedSampler, type SamplerConfig, type StopStrategyConfig } from '@lvr/decoding';
import type { ScaleRewards } from './advantages.js';
import type { LossType } from './loss.js';
import { MASK_RULES, type MaskRule } from './mask.js';
import { DEFAULT_REWARDS, resolveRewards } from './rewards/combine.js';
import type { ResolvedReward, RewardSpec } from './rewards/types.js';

/**
 * GRPO_latent hyper-parameters (lvr-reference.md §5, §7; TRL 0.17 names in brackets). Every field is optional in
 * {@link GrpoConfigInput}; {@link resolveGrpoConfig} fills the defaults below, validates and freezes.
 */
export interface GrpoConfig {
  /** G completions per prompt [num_generations]. Default 8 (reference). At least 2 (a group needs a spread). */
  readonly groupSize: number;
  /** Prompts (groups) per micro-batch. Default 2 (the reference trains 2 groups of 8 per optimizer step). */
  readonly promptsPerStep: number;
  /**
   * Rollout sampler, stated explicitly: default `{ kind: 'sample', temperature: 0.9, topK: 50, topP: 1,
   * repetitionPenalty: 1 }` (the reference script's intent, §5.1; no fallback to a model's generation config).
   * Must be `sample`: greedy rollouts make a group identical and every advantage 0. The replay divides logits by
   * the same temperature.
   */
  readonly sampler: ResolvedSampler;
  /** Latent stop strategy of the rollouts. Default `{ kind: 'fixed', steps: 8 }` (reference GRPO: steps, N = 8). */
  readonly strategy: StopStrategyConfig;
  /** Generated positions per completion, latent ones included [max_completion_length]. Default 64 (reference 512). */
  readonly maxNewTokens: number;
  /** Hard cap on vectors per latent span (decoding's `maxLatentSteps`); default: decoding's. */
  readonly maxLatentSteps: number | undefined;
  /** Token ids never sampled in rollouts (the recipe adds image/vision/pad ids and ids beyond the tokenizer). */
  readonly suppressIds: readonly number[];
  /** KL coefficient β; 0 drops the reference model. Default 0.04 (reference). */
  readonly beta: number;
  /** Lower clip ε_low: ratios below 1 − ε_low stop pushing a negative advantage. Default 0.2. */
  readonly epsilonLow: number;
  /** Upper clip ε_high: ratios above 1 + ε_high stop pushing a positive advantage. Default 0.2. */
  readonly epsilonHigh: number;
  /** Advantage scaling: `group` (÷ (std + 1e-4), default) or `none` (centred only, Dr. GRPO). */
  readonly scaleRewards: ScaleRewards;
  /** Aggregation: `bnpo` (default), `grpo`, `dr_grpo` — see `LOSS_AGGREGATIONS`. */
  readonly lossType: LossType;
  /** μ: optimizer steps per rollout batch [num_iterations]. Default 1 (ratio ≡ 1); > 1 reuses the batch. */
  readonly mu: number;
  /** Which completion tokens carry gradient (see `MaskRule`). Default `reference`. */
  readonly maskRule: MaskRule;
  /** Rewards and weights. Default `accuracy` + `format`, weight 1 each (reference, r ∈ {0, 1, 2}). */
  readonly rewards: readonly ResolvedReward[];
}

/** What callers pass to {@link resolveGrpoConfig}: every field optional; `sampler` as a config, rewards as specs. */
export type GrpoConfigInput = Partial<Omit<GrpoConfig, 'sampler' | 'rewards'>> & {
  readonly sampler?: SamplerConfig | undefined;
  readonly rewards?: readonly RewardSpec[] | undefined;
};

/** The rollout sampler of the reference script's intent (§5.1): T 0.9, top-k 50, top-p 1, no penalty. */
export const DEFAULT_ROLLOUT_SAMPLER: SamplerConfig = Object.freeze({ kind: 'sample', temperature: 0.9, topK: 50, topP: 1, repetitionPenalty: 1 });

const KEYS = new Set([
  'groupSize', 'promptsPerStep', 'sampler', 'strategy', 'maxNewTokens', 'maxLatentSteps', 'suppressIds', 'beta', 'epsilonLow',
  'epsilonHigh', 'scaleRewards', 'lossType', 'mu', 'maskRule', 'rewards',
]);

function invalid(field: string, message: string): never {
  throw new LvrError('CONFIG_INVALID', `grpo config: ${field} ${message}`, { details: { field } });
}

function int(field: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) invalid(field, `must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function num(field: string, v: unknown, lo: number, hi: number, loOpen = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || (loOpen && v === lo) || v > hi) {
    invalid(field, `must be a number in ${loOpen ? '(' : '['}${lo}, ${hi}], got ${JSON.stringify(v)}`);
  }
  return v;
}

function oneOf<T extends string>(field: string, v: unknown, options: readonly T[]): T {
  if (!options.includes(v as T)) invalid(field, `must be one of ${options.join(' | ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

/**
 * Validates a GRPO config once, fills defaults and freezes it. Unknown fields are rejected (usually typos such as
 * `num_generations`); errors say which field and why.
 *
 * @example
 * const cfg = resolveGrpoConfig({ groupSize: 8, beta: 0.04, mu: 2, strategy: { kind: 'fixed', steps: 8 } });
 * cfg.sampler; // { kind: 'sample', temperature: 0.9, topK: 50, topP: 1, repetitionPenalty: 1 }
 */
export function resolveGrpoConfig(input: GrpoConfigInput = {}): Readonly<GrpoConfig> {
  for (const k of Object.keys(input)) if (!KEYS.has(k)) invalid(k, 'is not a known field');
  let sampler: ResolvedSampler;
  try {
    sampler = resolveSamplerConfig(input.sampler ?? DEFAULT_ROLLOUT_SAMPLER);
  } catch (cause) {
    throw new LvrError('CONFIG_INVALID', `grpo config: sampler: ${(cause as Error).message}`, { cause, details: { field: 'sampler' } });
  }
  if (sampler.kind !== 'sample') {
    invalid('sampler', "must be a 'sample' sampler with temperature > 0: greedy rollouts make every completion of a group " +
      'identical, so every advantage is 0 and nothing is learned');
  }
  const strategy = input.strategy ?? { kind: 'fixed', steps: 8 };
  try {
    createStopStrategy(strategy);
  } catch (cause) {
    throw new LvrError('CONFIG_INVALID', `grpo config: strategy: ${(cause as Error).message}`, { cause, details: { field: 'strategy' } });
  }
  const suppressIds = input.suppressIds ?? [];
  if (!Array.isArray(suppressIds) || suppressIds.some((id) => !Number.isInteger(id) || id < 0)) {
    invalid('suppressIds', `must be a list of token ids (integers ≥ 0), got ${JSON.stringify(suppressIds)}`);
  }
  const maxLatentSteps = input.maxLatentSteps === undefined ? undefined : int('maxLatentSteps', input.maxLatentSteps, 0);
  return Object.freeze({
    groupSize: int('groupSize', input.groupSize ?? 8, 2),
    promptsPerStep: int('promptsPerStep', input.promptsPerStep ?? 2, 1),
    sampler,
    strategy: Object.freeze({ ...strategy }),
    maxNewTokens: int('maxNewTokens', input.maxNewTokens ?? 64, 1),
    maxLatentSteps,
    suppressIds: Object.freeze([...new Set(suppressIds)].sort((a, b) => a - b)),
    beta: num('beta', input.beta ?? 0.04, 0, 1e6),
    epsilonLow: num('epsilonLow', input.epsilonLow ?? 0.2, 0, 1),
    epsilonHigh: num('epsilonHigh', input.epsilonHigh ?? 0.2, 0, 1e6),
    scaleRewards: oneOf<ScaleRewards>('scaleRewards', input.scaleRewards ?? 'group', ['group', 'none']),
    lossType: oneOf<LossType>('lossType', input.lossType ?? 'bnpo', ['bnpo', 'grpo', 'dr_grpo']),
    mu: int('mu', input.mu ?? 1, 1),
    maskRule: oneOf<MaskRule>('maskRule', input.maskRule ?? 'reference', MASK_RULES),
    rewards: Object.freeze(resolveRewards(input.rewards ?? DEFAULT_REWARDS)),
  });
}

/**
 * The JSON form of a resolved config, for logs and `grpo_config.json` (user reward functions appear as
 * `{ name, weight, custom: true }`).
 *
 * @example
 * JSON.stringify(grpoConfigToJson(resolveGrpoConfig()));
 */
export function grpoConfigToJson(c: Readonly<GrpoConfig>): Record<string, unknown> {
  return {
    ...c,
    rewards: c.rewards.map((r) => (r.builtin ? { name: r.name, weight: r.weight } : { name: r.name, weight: r.weight, custom: true })),
  };
}

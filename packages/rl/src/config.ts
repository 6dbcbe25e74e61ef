import * as z from 'zod';
import { LvrError } from '@lvr/core';
import { intAtLeast, intIn, issuesError, numberIn, oneOf, parseWith, type FieldIssue } from '@lvr/data';
import { createStopStrategy, resolveSamplerConfig, type ResolvedSampler, type SamplerConfig, type StopStrategyConfig } from '@lvr/decoding';
import { ADVANTAGE_FNS, type ScaleRewards } from './advantages.js';
import { LOSS_AGGREGATIONS, type LossType } from './loss.js';
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

/**
 * Upper bounds of the rollout sizes, so that a config cannot ask for an unbounded rollout batch: each count is
 * capped, and so is the product `groupSize · promptsPerStep · maxNewTokens` (the positions one rollout batch
 * generates and replays).
 */
export const GRPO_LIMITS = Object.freeze({ groupSize: 4096, promptsPerStep: 4096, maxNewTokens: 65_536, latentSteps: 65_536, mu: 1024, rolloutPositions: 2 ** 24 });

const LOSS_TYPES = Object.keys(LOSS_AGGREGATIONS) as [LossType, ...LossType[]];
const SCALE_REWARDS = Object.keys(ADVANTAGE_FNS) as [ScaleRewards, ...ScaleRewards[]];

/**
 * The fields of {@link GrpoConfigInput} with their types and ranges; unknown fields are rejected (usually typos such
 * as `num_generations`). `sampler`, `strategy` and `rewards` are checked by their own resolvers (`@lvr/decoding`'s
 * `resolveSamplerConfig` and `createStopStrategy`, `resolveRewards`).
 */
export const grpoConfigSchema = z.strictObject({
  groupSize: intIn(2, GRPO_LIMITS.groupSize).optional(),
  promptsPerStep: intIn(1, GRPO_LIMITS.promptsPerStep).optional(),
  sampler: z.unknown().optional(),
  strategy: z.unknown().optional(),
  maxNewTokens: intIn(1, GRPO_LIMITS.maxNewTokens).optional(),
  maxLatentSteps: intIn(0, GRPO_LIMITS.latentSteps).optional(),
  suppressIds: z.array(intAtLeast(0), { error: 'must be a list of token ids (integers ≥ 0)' }).optional(),
  beta: numberIn(0, 1e6).optional(),
  epsilonLow: numberIn(0, 1).optional(),
  epsilonHigh: numberIn(0, 1e6).optional(),
  scaleRewards: oneOf(SCALE_REWARDS).optional(),
  lossType: oneOf(LOSS_TYPES).optional(),
  mu: intIn(1, GRPO_LIMITS.mu).optional(),
  maskRule: oneOf(MASK_RULES as readonly MaskRule[] as [MaskRule, ...MaskRule[]]).optional(),
  rewards: z.array(z.unknown(), { error: 'must be a list of reward specs' }).optional(),
});

/** Re-throws a sub-resolver's error as this config's, naming the field. */
function delegated<T>(field: string, resolve: () => T): T {
  try {
    return resolve();
  } catch (cause) {
    throw new LvrError('CONFIG_INVALID', `grpo config: ${field}: ${(cause as Error).message}`, { cause, details: { field } });
  }
}

/**
 * Validates a GRPO config once ({@link grpoConfigSchema}, then the sampler, strategy and rewards, then the rollout
 * size), fills defaults and freezes it. Errors name each field and the value found.
 *
 * @example
 * const cfg = resolveGrpoConfig({ groupSize: 8, beta: 0.04, mu: 2, strategy: { kind: 'fixed', steps: 8 } });
 * cfg.sampler; // { kind: 'sample', temperature: 0.9, topK: 50, topP: 1, repetitionPenalty: 1 }
 */
export function resolveGrpoConfig(input: GrpoConfigInput = {}): Readonly<GrpoConfig> {
  const ctx = { code: 'CONFIG_INVALID', where: 'grpo config' } as const;
  const i = parseWith(grpoConfigSchema, input, ctx);
  const sampler = delegated('sampler', () => resolveSamplerConfig((i.sampler as SamplerConfig | undefined) ?? DEFAULT_ROLLOUT_SAMPLER));
  const issues: FieldIssue[] = [];
  if (sampler.kind !== 'sample') {
    issues.push({
      field: 'sampler',
      message: "must be a 'sample' sampler with temperature > 0: greedy rollouts make every completion of a group " +
        'identical, so every advantage is 0 and nothing is learned',
    });
  }
  const strategy = (i.strategy as StopStrategyConfig | undefined) ?? { kind: 'fixed', steps: 8 };
  delegated('strategy', () => createStopStrategy(strategy));
  const rewards = resolveRewards((i.rewards as RewardSpec[] | undefined) ?? DEFAULT_REWARDS); // its errors name grpo config already
  const groupSize = i.groupSize ?? 8;
  const promptsPerStep = i.promptsPerStep ?? 2;
  const maxNewTokens = i.maxNewTokens ?? 64;
  const positions = groupSize * promptsPerStep * maxNewTokens;
  if (positions > GRPO_LIMITS.rolloutPositions) {
    issues.push({
      field: '',
      message: `groupSize · promptsPerStep · maxNewTokens = ${positions} positions per rollout batch; at most ${GRPO_LIMITS.rolloutPositions}`,
    });
  }
  if (issues.length > 0) throw issuesError(issues, ctx);
  return Object.freeze({
    groupSize,
    promptsPerStep,
    sampler,
    strategy: Object.freeze({ ...strategy }),
    maxNewTokens,
    maxLatentSteps: i.maxLatentSteps,
    suppressIds: Object.freeze([...new Set(i.suppressIds ?? [])].sort((a, b) => a - b)),
    beta: i.beta ?? 0.04,
    epsilonLow: i.epsilonLow ?? 0.2,
    epsilonHigh: i.epsilonHigh ?? 0.2,
    scaleRewards: i.scaleRewards ?? 'group',
    lossType: i.lossType ?? 'bnpo',
    mu: i.mu ?? 1,
    maskRule: i.maskRule ?? 'reference',
    rewards: Object.freeze(rewards),
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

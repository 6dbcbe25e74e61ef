/**
 * @lvr/rl — GRPO_latent for latent visual reasoning, backend-neutral: the config, rollouts through `@lvr/decoding`
 * with per-row traces, rewards, group advantages, the gradient mask and the clipped-ratio + k3-KL loss math on
 * plain arrays. The tfjs replay forward and the trainer recipe live in `@lvr/model` (`grpoLatent`).
 * See docs/grpo-latent.md.
 */
export { resolveGrpoConfig, grpoConfigToJson, grpoConfigSchema, GRPO_LIMITS, DEFAULT_ROLLOUT_SAMPLER, type GrpoConfig, type GrpoConfigInput } from './config.js';
export {
  groupAdvantages, unbiasedStd, ADVANTAGE_FNS, ADVANTAGE_EPS, type AdvantageFn, type ScaleRewards,
} from './advantages.js';
export {
  grpoLoss, LOSS_AGGREGATIONS, type LossType, type LossAggregation, type GrpoLossInput, type GrpoLossOptions, type GrpoLossResult,
} from './loss.js';
export { completionMask, MASK_RULES, type MaskRule, type MaskTokenIds } from './mask.js';
export { buildRolloutPrompt, type RolloutPromptOptions, type PromptEncoder } from './prompts.js';
export {
  rolloutGroups, createRolloutFn, completionText,
  type RolloutPrompt, type RolloutBatch, type RolloutContext, type RolloutFn, type RolloutConfig, type CompletionTextIds,
  type CompletionDecoder,
} from './rollout.js';
export { scoreRollouts, padRows, maxAbsLogpDiff, type ScoredRollout, type ScoreOptions, type ScoringTokenIds } from './scoring.js';
export { GRPO_METRICS, rolloutMetrics } from './metrics.js';
export * from './rewards/index.js';

/** Rewards: small pure functions over decoded completions (see docs/grpo-latent.md § Rewards). */
export type { RewardFn, RewardBatch, RewardContext, RewardSample, RewardSpec, ResolvedReward } from './types.js';
export { STRICT_FORMAT_RE, strictFormat, lenientFormat, formatReward, lenientFormatReward } from './format.js';
export { answerTagContent, answerAccuracy, accuracyReward, extractChoice, choiceReward, type ChoiceExtractor } from './accuracy.js';
export { BUILTIN_REWARDS, DEFAULT_REWARDS, resolveRewards, scoreRewards, type RewardScores } from './combine.js';

/**
 * GRPO_latent on the tfjs model: the exact latent replay, per-token log-probs with a gradient, the loss op and the
 * `grpoLatent` recipe. The backend-neutral parts (config, rewards, advantages, masks, loss math) are `@lvr/rl`.
 */
export { replayLogprobs, buildReplayBatch, type ReplayBatch, type ReplayRow, type ReplayOptions, type ReplayLogprobs } from './replay.js';
export { tokenLogprobs, tokenLogprobsJs } from './token-logprobs.js';
export { grpoLossTfjs, type GrpoLossTargets } from './grpo-loss.js';
export { makeRlBatch, rlLoss, REPLAY_TOLERANCE, type RlBatch, type RlBatchContext } from './rl-batch.js';
export { readGrpoPrompts, prepareRolloutPrompts, type GrpoPromptRecord, type GrpoPromptSource } from './prompt-data.js';
export { rewardCurveSvg, writeRewardCurvePng } from './reward-curve.js';
export { grpoLatent, type GrpoLatentOptions, type GrpoLatentResult } from './recipe.js';

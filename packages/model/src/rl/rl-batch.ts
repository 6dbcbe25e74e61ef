import * as tf from '@tensorflow/tfjs';
import { LvrError, createLogger, type Rng } from '@lvr/core';
import type { LvrTokenizer } from '@lvr/data';
import {
  maxAbsLogpDiff, padRows, rolloutGroups, scoreRollouts, type GrpoConfig, type RolloutPrompt, type ScoredRollout, type ScoringTokenIds,
} from '@lvr/rl';
import { modelLatentFeedback } from '../inference/latent-feedback-config.js';
import { TfjsStepModel } from '../inference/tfjs-step-model.js';
import type { LatentFeedbackKind } from '../training/latent-feedback.js';
import type { MiniQwenVL } from '../models/vlm.js';
import type { LossResult } from '../train/step.js';
import { grpoLossTfjs } from './grpo-loss.js';
import { buildReplayBatch, replayLogprobs, type ReplayBatch } from './replay.js';

const log = createLogger('lvr:rl');

/** One micro-batch of GRPO_latent: a scored rollout batch plus everything the loss needs besides the policy. */
export interface RlBatch {
  readonly scored: ScoredRollout;
  readonly replay: ReplayBatch;
  /** Completion grid width C (the longest completion). */
  readonly length: number;
  /** (B·C) gradient mask. */
  readonly mask: Float32Array;
  /** (B·C) old-policy log-probs (μ > 1); undefined when μ = 1 (ratio ≡ 1). */
  readonly oldLogp: Float32Array | undefined;
  /** (B·C) reference-model log-probs (β > 0). */
  readonly refLogp: Float32Array | undefined;
  /** Max |replayed − sampled| with the rollout weights (measured here for μ > 1, in the loss for μ = 1). */
  replayDiff: number | undefined;
  /** 0 on the step that made the rollouts, k on its k-th reuse (μ > 1). */
  iteration: number;
  /** Completion tokens (for `tokens_per_s`). */
  readonly numTokens: number;
}

/** What {@link makeRlBatch} needs. */
export interface RlBatchContext {
  readonly policy: MiniQwenVL;
  /** The frozen reference model (β > 0). */
  readonly ref: MiniQwenVL | undefined;
  /**
   * What the policy's latent steps feed back (default `hidden`); `pause` reads the policy's current
   * `lvr_pause_emb` at every rollout.
   */
  readonly latentFeedback?: LatentFeedbackKind | undefined;
  readonly tokenizer: LvrTokenizer;
  readonly config: Readonly<GrpoConfig>;
  readonly ids: ScoringTokenIds;
}

/**
 * Rolls out G completions for each prompt with the current policy weights (a fresh `TfjsStepModel`, so a trained
 * latent-end vector is current), scores them, and replays them without gradient through the old policy (μ > 1,
 * also the replay-invariant check) and the reference model (β > 0), with the image and the rollout temperature.
 *
 * @example
 * const batch = await makeRlBatch(ctx, prompts.slice(0, 2), rng, step);
 */
export async function makeRlBatch(ctx: RlBatchContext, prompts: readonly RolloutPrompt[], rng: Rng, step: number): Promise<RlBatch> {
  const c = ctx.config;
  const feedback = ctx.latentFeedback === undefined || ctx.latentFeedback === 'hidden' ? undefined : modelLatentFeedback(ctx.policy, ctx.latentFeedback);
  const rollout = await rolloutGroups(new TfjsStepModel(ctx.policy), prompts, c, { rng, feedback });
  const scored = scoreRollouts(rollout, c, { decoder: ctx.tokenizer, ids: ctx.ids, step });
  const rowPrompts = rollout.traces.map((_, i) => (prompts[Math.floor(i / c.groupSize)] as RolloutPrompt).prompt);
  const replay = buildReplayBatch(rowPrompts, rollout.traces);
  const temperature = c.sampler.kind === 'sample' ? c.sampler.temperature : 1;
  let oldLogp: Float32Array | undefined;
  let replayDiff: number | undefined;
  let length = Math.max(...rollout.traces.map((t) => t.outputIds.length));
  if (c.mu > 1) {
    const old = replayLogprobs(ctx.policy, replay, { temperature, withGrad: false });
    oldLogp = old.values;
    length = old.length;
    replayDiff = maxAbsLogpDiff(rollout.traces, old.values, old.length);
  }
  const refLogp = ctx.ref && c.beta > 0 ? replayLogprobs(ctx.ref, replay, { temperature, withGrad: false }).values : undefined;
  const mask = padRows(scored.masks, length).values;
  const numTokens = rollout.traces.reduce((a, t) => a + t.promptLength + t.outputIds.length, 0);
  return { scored, replay, length, mask, oldLogp, refLogp, replayDiff, iteration: 0, numTokens };
}

/** Replay-invariant tolerance: larger differences are logged as warnings (the metric records the value). */
export const REPLAY_TOLERANCE = 1e-4;

/**
 * The GRPO_latent loss of one micro-batch: the policy replay with gradient, then `grpoLossTfjs`. Returns the loss
 * and every metric of docs/grpo-latent.md as scalars (the trainer averages them over micro-batches).
 *
 * @example
 * const { loss, metrics } = rlLoss(policy, batch, config);
 */
export function rlLoss(policy: MiniQwenVL, batch: RlBatch, c: Readonly<GrpoConfig>): LossResult {
  const temperature = c.sampler.kind === 'sample' ? c.sampler.temperature : 1;
  const lp = replayLogprobs(policy, batch.replay, { temperature, withGrad: true });
  const traces = batch.scored.batch.traces;
  if (lp.length !== batch.length) {
    lp.tensor?.dispose();
    throw new LvrError('SHAPE_MISMATCH', `rlLoss: the policy replay has ${lp.length} completion columns, the batch ${batch.length}`);
  }
  if (batch.replayDiff === undefined) batch.replayDiff = maxAbsLogpDiff(traces, lp.values, lp.length); // μ = 1: same weights
  if (batch.iteration === 0 && batch.replayDiff > REPLAY_TOLERANCE) {
    log.warn(`replay invariant: max |Δ log p| = ${batch.replayDiff.toExponential(2)} > ${REPLAY_TOLERANCE}`);
  }
  const { loss, stats } = grpoLossTfjs(lp.tensor as tf.Tensor2D, {
    oldLogp: batch.oldLogp, refLogp: batch.refLogp, advantages: batch.scored.advantages, mask: batch.mask,
  }, { beta: c.beta, epsilonLow: c.epsilonLow, epsilonHigh: c.epsilonHigh, lossType: c.lossType, maxCompletionLength: c.maxNewTokens });
  const values: Record<string, number> = {
    ...batch.scored.metrics,
    clip_ratio: stats.clipRatio,
    'clip_ratio/low': stats.clipLow,
    'clip_ratio/high': stats.clipHigh,
    'ratio/mean': stats.ratioMean,
    'replay/max_abs_logp_diff': batch.replayDiff,
    iteration: batch.iteration,
  };
  if (c.beta > 0) values.kl = stats.kl;
  const metrics: Record<string, tf.Scalar> = {};
  for (const [k, v] of Object.entries(values)) metrics[k] = tf.scalar(v);
  return { loss, metrics };
}

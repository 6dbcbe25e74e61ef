import * as tf from '@tensorflow/tfjs';
import { LvrError, type Rng } from '@lvr/core';
import { gatherRows } from '../ops/gather-rows.js';
import type { LvrLossKind } from '../ops/losses.js';
import { param } from '../models/params.js';
import type { EmbedOverride, MiniQwenVL } from '../models/vlm.js';
import type { TrainBatch } from './batch.js';
import { LVR_TARGET_SPACES, singleImage, type LatentImages, type LvrTargetSpace } from './lvr-targets.js';
import { latentSpans, sumLossTerms, type LossContext } from './loss-terms.js';
import { chooseSelfFed, resolveSelfFeed, selfFedForward, selfFeedProbability, type SelfFeedConfig } from './self-feed.js';
import { isPointerFeedback, parseLatentFeedback, type LatentFeedbackKind } from './latent-feedback.js';
import { pauseForward, pointerMixForward, spanIndexOf } from './latent-feedback-forward.js';

/**
 * What a training step optimises. `base`, `sft` and `livr` are cross-entropy on the labelled tokens (LIVR
 * differs in its data and mask); `lvr` adds the latent regression (and optional latent-end / mode-switch
 * terms). See docs/training-*.md.
 */
export interface ObjectiveConfig {
  kind: 'base' | 'sft' | 'lvr' | 'livr';
  /**
   * LVR regression loss (reference default `mse`, mean over tokens × hidden). `infonce`: cross-entropy of the
   * prediction's cosine similarities (/ `lvrTemperature`) to every visual token of its image toward the target
   * token (docs/training-lvr-variants.md).
   */
  lvrLoss: LvrLossKind | 'infonce';
  /** Space in which prediction and target are compared (`raw` = the reference; see `LvrTargetSpace`). */
  lvrTarget: LvrTargetSpace;
  /** InfoNCE temperature τ (> 0). */
  lvrTemperature: number;
  /** Self-fed latent training (Coconut-style curriculum); `undefined` = teacher forcing only (the reference). */
  selfFeed: Readonly<SelfFeedConfig> | undefined;
  /** Weight of the pointer loss at `<|lvr_start|>` toward the ROI tokens (0 = off). */
  pointerLambda: number;
  /** λ in CE + λ·LVR (reference 0.1). */
  lvrLambda: number;
  /** Train the learned `<|lvr_latent_end|>` embedding: F(hidden before it, embedding) with this weight (0 = off). */
  latentEndLambda: number;
  /** Distance F of the latent-end loss. */
  latentEndLoss: LvrLossKind;
  /** Mode-switch BCE on the `<|lvr_end|>` logit inside latent spans (0 = off). */
  modeSwitchLambda: number;
  /**
   * What is fed at the `<|lvr|>` inputs (issue 11, docs/training-lvr-variants.md): `hidden` = the reference
   * (teacher-forced ROI tokens + regression; default); `pointer-argmax` (teacher-forced, + hop CE); `pointer-mix`
   * (self-fed pointer mixes, sequential passes, + hop CE); `pause` (learned `lvr_pause_emb` rows, CE only).
   */
  latentFeedback: LatentFeedbackKind;
  /**
   * Weight of the per-latent pointer ("hop") cross-entropy: softmax(latentFromHidden(h[p−1]) · v_j / √D) over the
   * latent's image toward its ROI token. Default 1 for the pointer kinds, 0 otherwise (must be 0 for `pause`).
   */
  hopLambda: number;
  /**
   * Curriculum of the hop loss over training progress `[a, b]` (fractions of the run): weight 0 before a, rising
   * linearly to `hopLambda` at b, constant after; `undefined` = `hopLambda` throughout. Reason (measured on chase,
   * docs/results.md): with the hop loss on from step 0 the answer readout stayed at chance for all 1500 steps while
   * the teacher-forced CE alone learns it in ≈ 400; starting the hop loss later lets the readout form first.
   */
  hopRamp: readonly [number, number] | undefined;
}

export const DEFAULT_OBJECTIVE: Readonly<ObjectiveConfig> = Object.freeze({
  kind: 'sft', lvrLoss: 'mse', lvrLambda: 0.1, latentEndLambda: 0, latentEndLoss: 'mse', modeSwitchLambda: 0,
  lvrTarget: 'raw', lvrTemperature: 0.1, selfFeed: undefined, pointerLambda: 0, latentFeedback: 'hidden', hopLambda: 0,
  hopRamp: undefined,
});

/**
 * Input of {@link resolveObjective}: any subset; `selfFeed` may be partial (defaults filled in). With a pointer
 * `latentFeedback`, an omitted `lvrLambda` defaults to 0 (regression off) and `hopLambda` to 1; with `pause`, both
 * default to 0.
 */
export type ObjectiveInput = Partial<Omit<ObjectiveConfig, 'selfFeed'>> & { selfFeed?: Partial<SelfFeedConfig> | undefined };

/**
 * Fills defaults and validates an objective (`CONFIG_INVALID` naming the field).
 *
 * @example
 * resolveObjective({ kind: 'lvr', lvrLoss: 'infonce', lvrTarget: 'centred', selfFeed: { from: 0, to: 1 } });
 */
export function resolveObjective(p: ObjectiveInput): Readonly<ObjectiveConfig> {
  const latentFeedback = parseLatentFeedback(p.latentFeedback, 'objective.latentFeedback');
  const pointer = isPointerFeedback(latentFeedback);
  const o = {
    ...DEFAULT_OBJECTIVE, ...p, selfFeed: p.selfFeed ? resolveSelfFeed(p.selfFeed) : undefined, latentFeedback,
    lvrLambda: p.lvrLambda ?? (latentFeedback === 'hidden' ? DEFAULT_OBJECTIVE.lvrLambda : 0),
    hopLambda: p.hopLambda ?? (pointer ? 1 : 0),
  };
  if (!['base', 'sft', 'lvr', 'livr'].includes(o.kind)) throw new LvrError('CONFIG_INVALID', `objective.kind must be base | sft | lvr | livr, got ${o.kind}`);
  if (!['mse', 'mae', 'cosine', 'infonce'].includes(o.lvrLoss)) throw new LvrError('CONFIG_INVALID', `objective.lvrLoss must be mse | mae | cosine | infonce, got ${o.lvrLoss}`);
  if (!['mse', 'mae', 'cosine'].includes(o.latentEndLoss)) throw new LvrError('CONFIG_INVALID', `objective.latentEndLoss must be mse | mae | cosine, got ${o.latentEndLoss}`);
  if (!LVR_TARGET_SPACES.includes(o.lvrTarget)) throw new LvrError('CONFIG_INVALID', `objective.lvrTarget must be ${LVR_TARGET_SPACES.join(' | ')}, got ${o.lvrTarget}`);
  if (!(o.lvrTemperature > 0) || !Number.isFinite(o.lvrTemperature)) throw new LvrError('CONFIG_INVALID', `objective.lvrTemperature must be a finite number > 0, got ${o.lvrTemperature}`);
  for (const k of ['lvrLambda', 'latentEndLambda', 'modeSwitchLambda', 'pointerLambda', 'hopLambda'] as const) {
    if (!(o[k] >= 0) || !Number.isFinite(o[k])) throw new LvrError('CONFIG_INVALID', `objective.${k} must be a finite number ≥ 0, got ${o[k]}`);
  }
  if (o.hopRamp !== undefined) {
    const [a, b] = o.hopRamp;
    if (o.hopRamp.length !== 2 || !(a >= 0 && b >= a && b <= 1)) throw new LvrError('CONFIG_INVALID', `objective.hopRamp must be [a, b] with 0 ≤ a ≤ b ≤ 1, got [${o.hopRamp.join(', ')}]`);
  }
  if (latentFeedback !== 'hidden') {
    const why = `objective.latentFeedback '${latentFeedback}'`;
    if (o.kind !== 'lvr') throw new LvrError('CONFIG_INVALID', `${why} applies to kind 'lvr' only, got kind '${o.kind}'`);
    if (o.selfFeed) throw new LvrError('CONFIG_INVALID', `${why} cannot be combined with objective.selfFeed (pointer-mix is always self-fed, pointer-argmax and pause never)`);
    if (latentFeedback === 'pause') {
      for (const k of ['lvrLambda', 'pointerLambda', 'hopLambda'] as const) {
        if (o[k] > 0) throw new LvrError('CONFIG_INVALID', `${why} feeds no visual vector, so objective.${k} must be 0, got ${o[k]}`);
      }
    }
  }
  return Object.freeze(o);
}

export interface LossOutput {
  loss: tf.Scalar;
  /**
   * Documented metric names: `loss/ce`, `loss/lvr`, `loss/latent_end`, `loss/mode_switch`, `loss/pointer`,
   * `self_feed/p` (the scheduled probability), `self_feed/fraction` (latents actually self-fed), `loss/hop` and
   * `hop/acc` (per-latent pointer CE and the fraction of latents whose pointer argmax is the ROI token; pointer
   * kinds or `hopLambda > 0`), `feedback/passes` (forward passes of `pause` / `pointer-mix`).
   */
  metrics: Record<string, tf.Scalar>;
}

/**
 * The training loss of one batch: the forward pass the objective asks for (teacher-forced, self-fed, pause or
 * pointer-mix feedback), then the weighted sum of the loss terms of `loss-terms.ts`. Call inside
 * `tf.variableGrads` / `tf.tidy`.
 *
 * @example
 * const { loss, metrics } = computeLoss(model, batch, resolveObjective({ kind: 'lvr' }));
 */
export function computeLoss(model: MiniQwenVL, b: TrainBatch, o: Readonly<ObjectiveConfig>, at?: LossContext): LossOutput {
  const c = model.config;
  const tok = c.tokens;
  const visualIn = b.visualTokens ? tf.tensor2d(b.visualTokens, [b.visualTokens.length / c.hiddenSize, c.hiddenSize]) : model.encodeImages(b.images ?? []);
  const overrides: EmbedOverride[] = [];
  const useLvr = o.kind === 'lvr' && b.lvr !== undefined;
  // Latent-end slots: the input at <|lvr_latent_end|> is the learned end embedding.
  const endPositions: number[] = [];
  if (o.kind === 'lvr' && o.latentEndLambda > 0) {
    if (!c.lvr.latentEndEmbedding) throw new LvrError('CONFIG_INVALID', 'latentEndLambda > 0 needs a model created with lvr.latentEndEmbedding: true');
    for (let i = 0; i < b.inputIds.length; i++) if (b.inputIds[i] === tok.lvrLatentEndId) endPositions.push(i);
    if (endPositions.length > 0) {
      const emb = param(model.params, 'lvr_latent_end_emb');
      const rows = tf.tile(tf.reshape(emb, [1, c.hiddenSize]), [endPositions.length, 1]) as tf.Tensor2D; // (k, D)
      overrides.push({ kind: 'rows', positions: Int32Array.from(endPositions), rows });
    }
  }
  const input = {
    batch: b.batch, length: b.length, inputIds: b.inputIds, positionIds: b.positionIds, attentionMask: b.attentionMask,
    visualTokens: visualIn, overrides, allowed: b.allowed,
  };
  const metrics: Record<string, tf.Scalar> = {};
  let hidden: tf.Tensor2D;
  let visual: tf.Tensor2D;
  const fb = o.latentFeedback;
  const images: LatentImages | undefined = useLvr && b.lvr
    ? (b.lvr.imageStart && b.lvr.imageCount ? { start: b.lvr.imageStart, count: b.lvr.imageCount } : singleImage(b.lvr.positions.length, visualIn.shape[0]))
    : undefined;
  if (useLvr && b.lvr && fb !== 'hidden' && fb !== 'pointer-argmax' && b.lvr.positions.length > 0) {
    const spanIndex = spanIndexOf(latentSpans(b, tok.lvrStartId), b.lvr.positions.length);
    const out = fb === 'pause'
      ? pauseForward(model, input, b.lvr.positions, spanIndex)
      : pointerMixForward(model, input, b.lvr.positions, images as LatentImages, spanIndex);
    ({ hidden, visual } = out);
    metrics['feedback/passes'] = tf.scalar(out.passes);
  } else if (useLvr && b.lvr) {
    const n = b.lvr.positions.length;
    let chosen: Uint8Array = new Uint8Array(n);
    if (o.selfFeed) {
      if (!at) throw new LvrError('INVALID_ARGUMENT', 'computeLoss: self-fed training needs the loss context (progress, rng)');
      const p = selfFeedProbability(o.selfFeed, at.progress);
      chosen = chooseSelfFed(n, p, at.rng);
      metrics['self_feed/p'] = tf.scalar(p);
      metrics['self_feed/fraction'] = tf.scalar(n > 0 ? chosen.reduce((s, x) => s + x, 0) / n : 0);
    }
    ({ hidden, visual } = selfFedForward(model, input, b.lvr, chosen, { grad: o.selfFeed?.grad ?? true, passes: o.selfFeed?.passes ?? 1 }));
  } else {
    ({ hidden, visual } = model.forward(input));
  }
  let prediction: tf.Tensor2D | undefined;
  const terms = sumLossTerms({
    model, batch: b, objective: o, at, hidden, visual, images, endPositions,
    latentPrediction: () => (prediction ??= model.latentFromHidden(gatherRows(hidden, b.lvr!.positions.map((p) => p - 1)))),
  });
  return { loss: terms.loss, metrics: { ...metrics, ...terms.metrics } };
}

export { ceTargets, hopWeight, latentSpans, modeSwitchTargets, type LossContext } from './loss-terms.js';

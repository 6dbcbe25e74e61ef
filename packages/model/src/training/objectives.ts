import * as tf from '@tensorflow/tfjs';
import { LvrError, type Rng } from '@lvr/core';
import { gatherRows, stopGradient } from '../ops/gather-rows.js';
import { bceWithLogits, crossEntropy, lvrRegressionLoss, type LvrLossKind } from '../ops/losses.js';
import { param } from '../models/params.js';
import type { EmbedOverride, MiniQwenVL } from '../models/vlm.js';
import { IGNORE_INDEX, type TrainBatch } from './batch.js';
import { LVR_TARGET_SPACES, hopLoss, imageMeans, infoNceLoss, mapToTargetSpace, pointerLoss, singleImage, type LatentImages, type LvrTargetSpace } from './lvr-targets.js';
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

/**
 * The hop-loss weight at training progress `progress` under `hopRamp` (no progress known → the full `hopLambda`).
 *
 * @example
 * hopWeight(resolveObjective({ kind: 'lvr', latentFeedback: 'pointer-argmax', hopRamp: [0.2, 0.4] }), 0.3); // 0.5
 */
export function hopWeight(o: Readonly<ObjectiveConfig>, progress: number | undefined): number {
  if (o.hopRamp === undefined || progress === undefined) return o.hopLambda;
  const [a, b] = o.hopRamp;
  if (progress < a) return 0;
  if (progress >= b) return o.hopLambda;
  return o.hopLambda * ((progress - a) / (b - a));
}

/** Where in training a loss is computed (self-feeding schedule and its seeded choices). */
export interface LossContext {
  /** Training progress in [0, 1] (step / total steps). */
  progress: number;
  /** Seeded per micro-batch (the trainer's `StepContext.rng`). */
  rng: Rng;
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

/** Positions t (flat) whose next label is supervised, and those labels. */
export function ceTargets(b: TrainBatch, ignoreIds: readonly number[] = []): { rows: Int32Array; targets: Int32Array } {
  const rows: number[] = [];
  const targets: number[] = [];
  for (let r = 0; r < b.batch; r++) {
    for (let t = 0; t + 1 < b.length; t++) {
      const y = b.labels[r * b.length + t + 1] as number;
      if (y === IGNORE_INDEX || ignoreIds.includes(y)) continue;
      rows.push(r * b.length + t);
      targets.push(y);
    }
  }
  return { rows: Int32Array.from(rows), targets: Int32Array.from(targets) };
}

/**
 * The training loss of one batch. Call inside `tf.variableGrads` / `tf.tidy`.
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
  const useLatentEnd = o.kind === 'lvr' && o.latentEndLambda > 0;
  if (useLatentEnd) {
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
  const ignore = [tok.lvrId, ...(useLatentEnd ? [tok.lvrLatentEndId] : [])];
  const ce = ceTargets(b, ignore);
  const logits = model.logits(gatherRows(hidden, ce.rows));
  const lossCe = crossEntropy(logits, ce.targets);
  metrics['loss/ce'] = lossCe;
  let loss: tf.Scalar = lossCe;
  if (useLvr && b.lvr && fb !== 'pause' && images) {
    const { positions, visualRows } = b.lvr;
    const pred = model.latentFromHidden(gatherRows(hidden, positions.map((p) => p - 1)));
    let lossLvr: tf.Scalar;
    if (o.lvrLoss === 'infonce') {
      lossLvr = infoNceLoss(pred, visual, visualRows, images, { temperature: o.lvrTemperature, centred: o.lvrTarget === 'centred' || o.lvrTarget === 'centred-normalised' });
    } else {
      const mu = o.lvrTarget === 'centred' || o.lvrTarget === 'centred-normalised' ? imageMeans(visual, images) : undefined;
      const target = stopGradient(gatherRows(visual, visualRows));
      lossLvr = lvrRegressionLoss(mapToTargetSpace(pred, mu, o.lvrTarget), mapToTargetSpace(target, mu, o.lvrTarget), o.lvrLoss);
    }
    metrics['loss/lvr'] = lossLvr;
    if (o.lvrLambda > 0) loss = tf.add(loss, tf.mul(lossLvr, o.lvrLambda)) as tf.Scalar;
    if (o.pointerLambda > 0) {
      const spans = latentSpans(b, tok.lvrStartId);
      const query = model.latentFromHidden(gatherRows(hidden, Int32Array.from(spans, (s) => (positions[s.first] as number) - 1)));
      const roi = spans.map((s) => visualRows.slice(s.first, s.first + s.count));
      const img: LatentImages = { start: Int32Array.from(spans, (s) => images.start[s.first] as number), count: Int32Array.from(spans, (s) => images.count[s.first] as number) };
      const lossPtr = pointerLoss(query, visual, roi, img);
      metrics['loss/pointer'] = lossPtr;
      loss = tf.add(loss, tf.mul(lossPtr, o.pointerLambda)) as tf.Scalar;
    }
    if (o.hopLambda > 0 || isPointerFeedback(fb)) {
      const hop = hopLoss(pred, visual, visualRows, images);
      metrics['loss/hop'] = hop.loss;
      metrics['hop/acc'] = hop.acc;
      const w = hopWeight(o, at?.progress);
      if (w > 0) loss = tf.add(loss, tf.mul(hop.loss, w)) as tf.Scalar;
    }
  }
  if (useLatentEnd && endPositions.length > 0) {
    const emb = param(model.params, 'lvr_latent_end_emb');
    const pred = model.latentFromHidden(gatherRows(hidden, Int32Array.from(endPositions, (p) => p - 1)));
    const target = tf.tile(tf.reshape(emb, [1, c.hiddenSize]), [endPositions.length, 1]) as tf.Tensor2D;
    const lossEnd = lvrRegressionLoss(pred, target, o.latentEndLoss);
    metrics['loss/latent_end'] = lossEnd;
    loss = tf.add(loss, tf.mul(lossEnd, o.latentEndLambda)) as tf.Scalar;
  }
  if (o.kind === 'lvr' && o.modeSwitchLambda > 0) {
    const { positions, targets } = modeSwitchTargets(b, tok.lvrStartId, tok.lvrId);
    const h = gatherRows(hidden, positions);
    const eRow = gatherRows(param(model.params, 'model.embed_tokens.weight') as tf.Tensor2D, Int32Array.of(tok.lvrEndId)); // (1, D)
    const scores = tf.sum(tf.mul(h, eRow), -1) as tf.Tensor1D; // raw <|lvr_end|> logit
    const lossMs = bceWithLogits(scores, targets);
    metrics['loss/mode_switch'] = lossMs;
    loss = tf.add(loss, tf.mul(lossMs, o.modeSwitchLambda)) as tf.Scalar;
  }
  return { loss, metrics };
}

/**
 * Mode-switch targets. The set S = positions whose input is `<|lvr_start|>` or `<|lvr|>`; the target is 1 at the
 * last position of each latent span (the next input is not `<|lvr|>`: the model should leave latent mode now),
 * else 0. The reference labels 1 only where the next token is `<|lvr_end|>`, which never happens when its data
 * inserts `<|lvr_latent_end|>` (all-zero targets, §3.5 of the notes) — we follow the papers' intent.
 */
export function modeSwitchTargets(b: TrainBatch, lvrStartId: number, lvrId: number): { positions: Int32Array; targets: Float32Array } {
  const pos: number[] = [];
  const tgt: number[] = [];
  for (let r = 0; r < b.batch; r++) {
    for (let t = 0; t < b.length; t++) {
      const i = r * b.length + t;
      const id = b.inputIds[i];
      if (id !== lvrStartId && id !== lvrId) continue;
      const next = t + 1 < b.length ? b.inputIds[i + 1] : -1;
      pos.push(i);
      tgt.push(next === lvrId ? 0 : 1);
    }
  }
  return { positions: Int32Array.from(pos), targets: Float32Array.from(tgt) };
}

/**
 * The latent spans of an LVR batch: runs of consecutive entries of `lvr.positions` whose first position follows a
 * `<|lvr_start|>` input (index of the first latent in `lvr.positions` and the run length).
 */
export function latentSpans(b: TrainBatch, lvrStartId: number): { first: number; count: number }[] {
  const pos = b.lvr?.positions ?? new Int32Array(0);
  const out: { first: number; count: number }[] = [];
  for (let k = 0; k < pos.length; k++) {
    const p = pos[k] as number;
    if (k > 0 && p === (pos[k - 1] as number) + 1) {
      (out[out.length - 1] as { count: number }).count++;
      continue;
    }
    if (b.inputIds[p - 1] !== lvrStartId) throw new LvrError('SHAPE_MISMATCH', `latentSpans: the latent at flat position ${p} neither follows <|lvr_start|> nor another latent`);
    out.push({ first: k, count: 1 });
  }
  return out;
}

import * as tf from '@tensorflow/tfjs';
import { LvrError } from '@lvr/core';
import { gatherRows, stopGradient } from '../ops/gather-rows.js';
import { bceWithLogits, crossEntropy, lvrRegressionLoss, type LvrLossKind } from '../ops/losses.js';
import { param } from '../models/params.js';
import type { EmbedOverride, MiniQwenVL } from '../models/vlm.js';
import { IGNORE_INDEX, type TrainBatch } from './batch.js';

/**
 * What a training step optimises. `base`, `sft` and `livr` are cross-entropy on the labelled tokens (LIVR
 * differs in its data and mask); `lvr` adds the latent regression (and optional latent-end / mode-switch
 * terms). See docs/training-*.md.
 */
export interface ObjectiveConfig {
  kind: 'base' | 'sft' | 'lvr' | 'livr';
  /** LVR regression loss (reference default `mse`, mean over tokens × hidden). */
  lvrLoss: LvrLossKind;
  /** λ in CE + λ·LVR (reference 0.1). */
  lvrLambda: number;
  /** Train the learned `<|lvr_latent_end|>` embedding: F(hidden before it, embedding) with this weight (0 = off). */
  latentEndLambda: number;
  /** Distance F of the latent-end loss. */
  latentEndLoss: LvrLossKind;
  /** Mode-switch BCE on the `<|lvr_end|>` logit inside latent spans (0 = off). */
  modeSwitchLambda: number;
}

export const DEFAULT_OBJECTIVE: Readonly<ObjectiveConfig> = Object.freeze({
  kind: 'sft', lvrLoss: 'mse', lvrLambda: 0.1, latentEndLambda: 0, latentEndLoss: 'mse', modeSwitchLambda: 0,
});

export function resolveObjective(p: Partial<ObjectiveConfig>): Readonly<ObjectiveConfig> {
  const o = { ...DEFAULT_OBJECTIVE, ...p };
  if (!['base', 'sft', 'lvr', 'livr'].includes(o.kind)) throw new LvrError('CONFIG_INVALID', `objective.kind must be base | sft | lvr | livr, got ${o.kind}`);
  if (!['mse', 'mae', 'cosine'].includes(o.lvrLoss)) throw new LvrError('CONFIG_INVALID', `objective.lvrLoss must be mse | mae | cosine, got ${o.lvrLoss}`);
  for (const k of ['lvrLambda', 'latentEndLambda', 'modeSwitchLambda'] as const) {
    if (!(o[k] >= 0) || !Number.isFinite(o[k])) throw new LvrError('CONFIG_INVALID', `objective.${k} must be a finite number ≥ 0, got ${o[k]}`);
  }
  return Object.freeze(o);
}

export interface LossOutput {
  loss: tf.Scalar;
  /** Documented metric names: `loss/ce`, `loss/lvr`, `loss/latent_end`, `loss/mode_switch`. */
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
export function computeLoss(model: MiniQwenVL, b: TrainBatch, o: Readonly<ObjectiveConfig>): LossOutput {
  const c = model.config;
  const tok = c.tokens;
  const visual = b.visualTokens ? tf.tensor2d(b.visualTokens, [b.visualTokens.length / c.hiddenSize, c.hiddenSize]) : model.encodeImages(b.images ?? []);
  const overrides: EmbedOverride[] = [];
  const useLvr = o.kind === 'lvr' && b.lvr !== undefined;
  if (useLvr && b.lvr) overrides.push({ kind: 'visual', positions: b.lvr.positions, visualRows: b.lvr.visualRows });
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
  const { hidden } = model.forward({
    batch: b.batch, length: b.length, inputIds: b.inputIds, positionIds: b.positionIds, attentionMask: b.attentionMask,
    visualTokens: visual, overrides, allowed: b.allowed,
  });
  const ignore = [tok.lvrId, ...(useLatentEnd ? [tok.lvrLatentEndId] : [])];
  const ce = ceTargets(b, ignore);
  const logits = model.logits(gatherRows(hidden, ce.rows));
  const lossCe = crossEntropy(logits, ce.targets);
  const metrics: Record<string, tf.Scalar> = { 'loss/ce': lossCe };
  let loss: tf.Scalar = lossCe;
  if (useLvr && b.lvr) {
    const prev = b.lvr.positions.map((p) => p - 1);
    const pred = model.latentFromHidden(gatherRows(hidden, prev));
    const target = stopGradient(gatherRows(visual, b.lvr.visualRows));
    const lossLvr = lvrRegressionLoss(pred, target, o.lvrLoss);
    metrics['loss/lvr'] = lossLvr;
    if (o.lvrLambda > 0) loss = tf.add(loss, tf.mul(lossLvr, o.lvrLambda)) as tf.Scalar;
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

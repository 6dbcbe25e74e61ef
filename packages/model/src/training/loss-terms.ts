import * as tf from '@tensorflow/tfjs';
import { LvrError, type Rng } from '@lvr/core';
import { gatherRows, stopGradient } from '../ops/gather-rows.js';
import { bceWithLogits, crossEntropy, lvrRegressionLoss } from '../ops/losses.js';
import { param } from '../models/params.js';
import type { MiniQwenVL } from '../models/vlm.js';
import { IGNORE_INDEX, type TrainBatch } from './batch.js';
import { isPointerFeedback } from './latent-feedback.js';
import { hopLoss, imageMeans, infoNceLoss, mapToTargetSpace, pointerLoss, type LatentImages } from './lvr-targets.js';
import type { ObjectiveConfig } from './objectives.js';

/**
 * The training loss as a list of named, weighted terms: total = Σ weight · term over the active terms, in list
 * order. Each term owns its metric (`loss/<name>`, plus any extras) and is logged whenever it is active, even at
 * weight 0 (e.g. `loss/lvr` of Pause-K or pointer arms). `computeLoss` runs the forward pass once and sums
 * {@link LOSS_TERMS}; a new objective is a new entry here, not another branch in `computeLoss`.
 */

/** Where in training a loss is computed (self-feeding schedule and its seeded choices). */
export interface LossContext {
  /** Training progress in [0, 1] (step / total steps). */
  progress: number;
  /** Seeded per micro-batch (the trainer's `StepContext.rng`). */
  rng: Rng;
}

/** What the terms read: the batch, the objective and the forward pass's outputs. */
export interface LossInputs {
  readonly model: MiniQwenVL;
  readonly batch: TrainBatch;
  readonly objective: Readonly<ObjectiveConfig>;
  readonly at: LossContext | undefined;
  /** Final hidden states, (B·L, D). */
  readonly hidden: tf.Tensor2D;
  /** The batch's merged visual tokens, (N, D). */
  readonly visual: tf.Tensor2D;
  /** LVR batches with latents: each latent's image (its rows in `visual`); else undefined. */
  readonly images: LatentImages | undefined;
  /** Flat positions whose input is `<|lvr_latent_end|>` (only when the latent-end term is on). */
  readonly endPositions: readonly number[];
  /** The LVR head's prediction at every latent (from the hidden state before it), computed once and shared. */
  latentPrediction(): tf.Tensor2D;
}

/** One term of the loss. */
export interface LossTerm {
  /** Metric `loss/<name>`. */
  readonly name: string;
  /** Whether the term is computed for this batch. */
  active(x: LossInputs): boolean;
  /** Its weight in the total; at 0 it is only logged. */
  weight(x: LossInputs): number;
  /** The term's value (a scalar) and any extra metrics. */
  compute(x: LossInputs): { loss: tf.Scalar; metrics?: Record<string, tf.Scalar> };
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

/**
 * Mode-switch targets. The set S = positions whose input is `<|lvr_start|>` or `<|lvr|>`; the target is 1 at the
 * last position of each latent span (the next input is not `<|lvr|>`: the model should leave latent mode now),
 * else 0. The reference labels 1 only where the next token is `<|lvr_end|>`, which never happens when its data
 * inserts `<|lvr_latent_end|>` (all-zero targets) — we follow the papers' intent.
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

/** LVR latent terms apply to LVR batches with latents whose feedback carries a visual vector (not Pause-K). */
const latentTermsApply = (x: LossInputs): boolean => x.images !== undefined && x.objective.latentFeedback !== 'pause';
const latentEndOn = (x: LossInputs): boolean => x.objective.kind === 'lvr' && x.objective.latentEndLambda > 0;
const centredTarget = (o: Readonly<ObjectiveConfig>): boolean => o.lvrTarget === 'centred' || o.lvrTarget === 'centred-normalised';

/** Cross-entropy on the supervised next tokens (latent slots and, when trained, latent-end slots excluded). */
export const CE_TERM: LossTerm = {
  name: 'ce',
  active: () => true,
  weight: () => 1,
  compute: (x) => {
    const tok = x.model.config.tokens;
    const ce = ceTargets(x.batch, [tok.lvrId, ...(latentEndOn(x) ? [tok.lvrLatentEndId] : [])]);
    return { loss: crossEntropy(x.model.logits(gatherRows(x.hidden, ce.rows)), ce.targets) };
  },
};


/** The LVR latent loss: the prediction at each latent vs its ROI token (MSE / cosine / L1 / InfoNCE, in the target space). */
export const LVR_TERM: LossTerm = {
  name: 'lvr',
  active: latentTermsApply,
  weight: (x) => x.objective.lvrLambda,
  compute: (x) => {
    const o = x.objective;
    const { visualRows } = x.batch.lvr!;
    const images = x.images!;
    const pred = x.latentPrediction();
    if (o.lvrLoss === 'infonce') {
      return { loss: infoNceLoss(pred, x.visual, visualRows, images, { temperature: o.lvrTemperature, centred: centredTarget(o) }) };
    }
    const mu = centredTarget(o) ? imageMeans(x.visual, images) : undefined;
    const target = stopGradient(gatherRows(x.visual, visualRows));
    return { loss: lvrRegressionLoss(mapToTargetSpace(pred, mu, o.lvrTarget), mapToTargetSpace(target, mu, o.lvrTarget), o.lvrLoss) };
  },
};

/** Pointer loss at each span's `<|lvr_start|>`: a distribution over the image's tokens toward the span's ROI tokens. */
export const POINTER_TERM: LossTerm = {
  name: 'pointer',
  active: (x) => latentTermsApply(x) && x.objective.pointerLambda > 0,
  weight: (x) => x.objective.pointerLambda,
  compute: (x) => {
    const { positions, visualRows } = x.batch.lvr!;
    const images = x.images!;
    const spans = latentSpans(x.batch, x.model.config.tokens.lvrStartId);
    const query = x.model.latentFromHidden(gatherRows(x.hidden, Int32Array.from(spans, (s) => (positions[s.first] as number) - 1)));
    const roi = spans.map((s) => visualRows.slice(s.first, s.first + s.count));
    const img: LatentImages = { start: Int32Array.from(spans, (s) => images.start[s.first] as number), count: Int32Array.from(spans, (s) => images.count[s.first] as number) };
    return { loss: pointerLoss(query, x.visual, roi, img) };
  },
};

/** Per-latent hop cross-entropy (pointer feedback, or `hopLambda > 0`), weighted by the hop ramp; also `hop/acc`. */
export const HOP_TERM: LossTerm = {
  name: 'hop',
  active: (x) => latentTermsApply(x) && (x.objective.hopLambda > 0 || isPointerFeedback(x.objective.latentFeedback)),
  weight: (x) => hopWeight(x.objective, x.at?.progress),
  compute: (x) => {
    const hop = hopLoss(x.latentPrediction(), x.visual, x.batch.lvr!.visualRows, x.images!);
    return { loss: hop.loss, metrics: { 'hop/acc': hop.acc } };
  },
};

/** The learned `<|lvr_latent_end|>` embedding: the prediction before it vs the embedding. */
export const LATENT_END_TERM: LossTerm = {
  name: 'latent_end',
  active: (x) => latentEndOn(x) && x.endPositions.length > 0,
  weight: (x) => x.objective.latentEndLambda,
  compute: (x) => {
    const c = x.model.config;
    const emb = param(x.model.params, 'lvr_latent_end_emb');
    const pred = x.model.latentFromHidden(gatherRows(x.hidden, Int32Array.from(x.endPositions, (p) => p - 1)));
    const target = tf.tile(tf.reshape(emb, [1, c.hiddenSize]), [x.endPositions.length, 1]) as tf.Tensor2D; // (k, D)
    return { loss: lvrRegressionLoss(pred, target, x.objective.latentEndLoss) };
  },
};

/** Mode-switch BCE on the raw `<|lvr_end|>` logit inside latent spans (see {@link modeSwitchTargets}). */
export const MODE_SWITCH_TERM: LossTerm = {
  name: 'mode_switch',
  active: (x) => x.objective.kind === 'lvr' && x.objective.modeSwitchLambda > 0,
  weight: (x) => x.objective.modeSwitchLambda,
  compute: (x) => {
    const tok = x.model.config.tokens;
    const { positions, targets } = modeSwitchTargets(x.batch, tok.lvrStartId, tok.lvrId);
    const h = gatherRows(x.hidden, positions);
    const eRow = gatherRows(param(x.model.params, 'model.embed_tokens.weight') as tf.Tensor2D, Int32Array.of(tok.lvrEndId)); // (1, D)
    const scores = tf.sum(tf.mul(h, eRow), -1) as tf.Tensor1D; // raw <|lvr_end|> logit
    return { loss: bceWithLogits(scores, targets) };
  },
};

/** Every term, in the order they are summed (the order is part of the numerics: it fixes the float sum). */
export const LOSS_TERMS: readonly LossTerm[] = Object.freeze([CE_TERM, LVR_TERM, POINTER_TERM, HOP_TERM, LATENT_END_TERM, MODE_SWITCH_TERM]);

/**
 * Σ weight · term over the active terms (a term at weight 0 is computed and logged, not added), with each term's
 * metrics. Call inside `tf.tidy` / `tf.variableGrads`.
 *
 * @example
 * const { loss, metrics } = sumLossTerms(inputs); // metrics['loss/ce'], metrics['loss/lvr'], …
 */
export function sumLossTerms(x: LossInputs, terms: readonly LossTerm[] = LOSS_TERMS): { loss: tf.Scalar; metrics: Record<string, tf.Scalar> } {
  const metrics: Record<string, tf.Scalar> = {};
  let total: tf.Scalar | undefined;
  for (const term of terms) {
    if (!term.active(x)) continue;
    const out = term.compute(x);
    metrics[`loss/${term.name}`] = out.loss;
    Object.assign(metrics, out.metrics);
    const w = term.weight(x);
    if (!(w > 0)) continue;
    total = total === undefined && w === 1 ? out.loss : tf.add(total ?? tf.scalar(0), tf.mul(out.loss, w)) as tf.Scalar;
  }
  return { loss: total ?? tf.scalar(0), metrics };
}

import * as tf from '@tensorflow/tfjs';
import { LvrError } from '@lvr/core';
import { POINTER_TEMPERATURE } from '@lvr/decoding';
import { stopGradient } from '../ops/gather-rows.js';

/**
 * Space in which LVR predictions and targets are compared (both sides get the same map, so the vector the
 * model feeds back at inference stays in the raw visual-token space it was trained to consume):
 * - `raw` — as is (the reference);
 * - `centred` — minus μ, the mean visual token of the item's image (stop-gradient). Under `mse`/`mae` this is
 *   exactly the raw loss (the shift cancels); it changes `cosine` and `infonce`, which then compare only the
 *   part of a token that differs from the image's background;
 * - `normalised` — divided by its L2 norm (MSE of unit vectors = (2 − 2·cos)/D);
 * - `centred-normalised` — centred, then unit-normalised.
 */
export type LvrTargetSpace = 'raw' | 'centred' | 'normalised' | 'centred-normalised';

export const LVR_TARGET_SPACES: readonly LvrTargetSpace[] = Object.freeze(['raw', 'centred', 'normalised', 'centred-normalised']);

/** Which image (a contiguous run of the batch's visual-token list) each latent belongs to. */
export interface LatentImages {
  /** Per latent: first row of its image in the visual-token list. */
  start: Int32Array;
  /** Per latent: number of visual tokens of its image. */
  count: Int32Array;
}

/** Every latent belongs to one image holding all `nv` visual rows (hand-built single-image batches). */
export function singleImage(n: number, nv: number): LatentImages {
  return { start: new Int32Array(n), count: new Int32Array(n).fill(nv) };
}

function checkImages(img: LatentImages, n: number, nv: number): void {
  if (img.start.length !== n || img.count.length !== n) throw new LvrError('SHAPE_MISMATCH', `LVR image ranges: ${img.start.length}/${img.count.length} entries for ${n} latents`);
  for (let k = 0; k < n; k++) {
    const s = img.start[k] as number;
    const c = img.count[k] as number;
    if (!(c > 0 && s >= 0 && s + c <= nv)) throw new LvrError('SHAPE_MISMATCH', `LVR image range of latent ${k}: [${s}, ${s + c}) outside the ${nv} visual tokens`);
  }
}

/** (n, Nv) constant matrix whose row k averages the visual tokens of latent k's image. */
function meanMatrix(img: LatentImages, nv: number): tf.Tensor2D {
  const n = img.start.length;
  const m = new Float32Array(n * nv);
  for (let k = 0; k < n; k++) {
    const s = img.start[k] as number;
    const c = img.count[k] as number;
    for (let j = s; j < s + c; j++) m[k * nv + j] = 1 / c;
  }
  return tf.tensor2d(m, [n, nv]);
}

/**
 * Per latent, the mean visual token μ of its image (n, D), stop-gradient.
 *
 * @example
 * const mu = imageMeans(visual, { start: Int32Array.of(0), count: Int32Array.of(16) }); // (1, D)
 */
export function imageMeans(visual: tf.Tensor2D, img: LatentImages): tf.Tensor2D {
  const nv = visual.shape[0];
  checkImages(img, img.start.length, nv);
  return tf.tidy(() => stopGradient(tf.matMul(meanMatrix(img, nv), visual)));
}

function unit(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), -1, true), 1e-12))) as tf.Tensor2D;
}

/**
 * Maps rows (n, D) into a target space given the per-row image mean μ (n, D) (ignored by `raw` / `normalised`).
 *
 * @example
 * const yc = mapToTargetSpace(targets, mu, 'centred'); // targets − μ
 */
export function mapToTargetSpace(rows: tf.Tensor2D, mu: tf.Tensor2D | undefined, space: LvrTargetSpace): tf.Tensor2D {
  const centred = space === 'centred' || space === 'centred-normalised';
  if (centred && !mu) throw new LvrError('INVALID_ARGUMENT', `target space ${space} needs the image means`);
  const x = centred ? (tf.sub(rows, mu as tf.Tensor2D) as tf.Tensor2D) : rows;
  return space === 'normalised' || space === 'centred-normalised' ? unit(x) : x;
}

/** −1e9 outside each latent's image, 0 inside: (n, Nv). */
function imageLogitMask(img: LatentImages, nv: number): tf.Tensor2D {
  const n = img.start.length;
  const m = new Float32Array(n * nv).fill(-1e9);
  for (let k = 0; k < n; k++) {
    const s = img.start[k] as number;
    m.fill(0, k * nv + s, k * nv + s + (img.count[k] as number));
  }
  return tf.tensor2d(m, [n, nv]);
}

/**
 * cos(q_k, v_j − μ_k) for every query k and token j (n, Nv), μ_k = the mean token of query k's image (n, D).
 * q·(v_j − μ) = q·v_j − q·μ ; ‖v_j − μ_k‖ is only meaningful inside k's image, where μ_k is shared (callers mask the rest).
 */
function centredCos(q: tf.Tensor2D, v: tf.Tensor2D, mu: tf.Tensor2D): tf.Tensor2D {
  const nv = v.shape[0];
  const qn = unit(q);
  const dots = tf.sub(tf.matMul(qn, v, false, true), tf.sum(tf.mul(qn, mu), -1, true)); // (n, Nv)
  const vv = tf.sum(tf.square(v), -1).reshape([1, nv]); // ‖v_j‖²
  const vm = tf.matMul(mu, v, false, true); // μ_k·v_j
  const mm = tf.sum(tf.square(mu), -1, true); // ‖μ_k‖²
  const norms = tf.sqrt(tf.maximum(tf.add(tf.sub(vv, tf.mul(vm, 2)), mm), 1e-12)); // ‖v_j − μ_k‖
  return tf.div(dots, norms) as tf.Tensor2D;
}

/**
 * InfoNCE of each prediction against the visual tokens of its own image: logits_j = cos(p − c, v_j − c) / τ
 * (c = μ of the image in the centred spaces, else 0), cross-entropy toward the target row. The other tokens of
 * the same image — background cells and the other objects — are the negatives, so the loss rewards exactly
 * "the nearest token of the image is the ROI token" (the `roi_hit` probe). Mean over latents; none → 0.
 *
 * @example
 * const l = infoNceLoss(pred, visual, visualRows, images, { temperature: 0.1, centred: true });
 */
export function infoNceLoss(
  pred: tf.Tensor2D, visual: tf.Tensor2D, targetRows: Int32Array, img: LatentImages, o: { temperature: number; centred: boolean },
): tf.Scalar {
  const n = pred.shape[0];
  const nv = visual.shape[0];
  if (targetRows.length !== n) throw new LvrError('SHAPE_MISMATCH', `infoNceLoss: ${targetRows.length} targets for ${n} predictions`);
  if (n === 0) return tf.scalar(0);
  checkImages(img, n, nv);
  for (let k = 0; k < n; k++) {
    const r = targetRows[k] as number;
    if (!(r >= (img.start[k] as number) && r < (img.start[k] as number) + (img.count[k] as number))) {
      throw new LvrError('SHAPE_MISMATCH', `infoNceLoss: target row ${r} of latent ${k} is not a token of its image`);
    }
  }
  return tf.tidy(() => {
    const v = stopGradient(visual);
    let p: tf.Tensor2D = pred;
    let logits: tf.Tensor2D;
    if (o.centred) {
      const mu = tf.matMul(meanMatrix(img, nv), v) as tf.Tensor2D; // (n, D)
      p = tf.sub(pred, mu) as tf.Tensor2D;
      // Each latent's keys are centred by its own image mean: cos(p − μ_k, v_j − μ_k) for j in that image.
      logits = centredCos(p, v, mu);
    } else {
      logits = tf.matMul(unit(p), unit(v), false, true) as tf.Tensor2D;
    }
    logits = tf.add(tf.div(logits, o.temperature), imageLogitMask(img, nv)) as tf.Tensor2D;
    const logp = tf.logSoftmax(logits);
    const onehot = tf.oneHot(tf.tensor1d(targetRows, 'int32'), nv);
    return tf.neg(tf.mean(tf.sum(tf.mul(logp, onehot), -1))) as tf.Scalar;
  });
}

/**
 * Pointer logits of queries (n, D) over the visual tokens (Nv, D): logits_j = cos(q, v_j − μ) / τ, μ = the mean
 * token of the query's own image, τ = `POINTER_TEMPERATURE` (0.1, from `@lvr/decoding`, which uses the same formula
 * at inference), inside each query's own image, −1e9 elsewhere (a softmax puts no mass on other images).
 * Cosine rather than q·v/√D: the visual tokens' norm is whatever the vision tower (or codebook) makes it — ≈ 0.5
 * for a fresh tower — and with RMS-normed hidden states a dot product then caps the logits near ±0.5, so the
 * pointer cannot become sharp. Centred keys: a trained tower's tokens share a large common component (pairwise
 * cosine 0.993 between the 16 cell tokens of a chase board under `models/base`, −0.0005 after centring — measured),
 * so uncentred cosines differ by < 0.01 and the pointer cannot separate cells (hop accuracy stayed ≈ 1/16 from pixels).
 * Differentiable in both inputs; callers stop-gradient `visual` where the tokens are targets.
 *
 * @example
 * const logits = pointerLogits(latent, visual, images); // (n, Nv)
 */
export function pointerLogits(query: tf.Tensor2D, visual: tf.Tensor2D, img: LatentImages): tf.Tensor2D {
  const n = query.shape[0];
  const nv = visual.shape[0];
  checkImages(img, n, nv);
  // Each token's own image (tokens of no latent's image form one extra segment; they are masked out anyway).
  const seg = new Int32Array(nv).fill(-1);
  let numSeg = 0;
  for (let k = 0; k < n; k++) {
    const s = img.start[k] as number;
    if (seg[s] !== -1) continue;
    seg.fill(numSeg++, s, s + (img.count[k] as number));
  }
  const rest = numSeg;
  for (let j = 0; j < nv; j++) if (seg[j] === -1) { seg[j] = rest; numSeg = rest + 1; }
  return tf.tidy(() => {
    // Keys v_j − μ(image of j), subtracted directly (no ‖v − μ‖² expansion: exact for near-parallel tokens).
    const counts = new Float32Array(numSeg);
    for (const g of seg) counts[g] = (counts[g] as number) + 1;
    const avg = new Float32Array(numSeg * nv); // (S, Nv): row g averages the tokens of segment g
    seg.forEach((g, j) => { avg[g * nv + j] = 1 / (counts[g] as number); });
    const means = tf.matMul(tf.tensor2d(avg, [numSeg, nv]), visual); // (S, D)
    const keys = tf.sub(visual, tf.gather(means, tf.tensor1d(seg, 'int32'))) as tf.Tensor2D; // (Nv, D)
    return tf.add(tf.div(tf.matMul(unit(query), unit(keys), false, true), POINTER_TEMPERATURE), imageLogitMask(img, nv)) as tf.Tensor2D;
  });
}

/** The dot-product logits q · v_j / √D of the issue-8 pointer loss at `<|lvr_start|>` (kept as it was measured). */
function dotLogits(query: tf.Tensor2D, visual: tf.Tensor2D, img: LatentImages): tf.Tensor2D {
  const [nv, d] = visual.shape;
  return tf.tidy(() => tf.add(tf.div(tf.matMul(query, visual, false, true), Math.sqrt(d)), imageLogitMask(img, nv)) as tf.Tensor2D);
}

/**
 * The `pointer-mix` feedback vector of each query: Σ_j softmax(pointerLogits)_j v_j over its own image (n, D).
 * Differentiable through the weights and the tokens.
 *
 * @example
 * const fed = pointerMix(model.latentFromHidden(hPrev), visual, images);
 */
export function pointerMix(query: tf.Tensor2D, visual: tf.Tensor2D, img: LatentImages): tf.Tensor2D {
  return tf.tidy(() => tf.matMul(tf.softmax(pointerLogits(query, visual, img)), visual) as tf.Tensor2D);
}

/**
 * The per-latent pointer ("hop") cross-entropy: CE of softmax(cos(q_k, v_j) / τ) over latent k's own image toward its
 * target row, mean over latents (visual tokens stop-gradient), and `acc` = the fraction of latents whose argmax is
 * the target (no gradient). None → 0, 0.
 *
 * @example
 * const { loss, acc } = hopLoss(query, visual, batch.lvr.visualRows, images);
 */
export function hopLoss(query: tf.Tensor2D, visual: tf.Tensor2D, targetRows: Int32Array, img: LatentImages): { loss: tf.Scalar; acc: tf.Scalar } {
  const n = query.shape[0];
  const nv = visual.shape[0];
  if (targetRows.length !== n) throw new LvrError('SHAPE_MISMATCH', `hopLoss: ${targetRows.length} targets for ${n} queries`);
  if (n === 0) return { loss: tf.scalar(0), acc: tf.scalar(0) };
  checkImages(img, n, nv);
  for (let k = 0; k < n; k++) {
    const r = targetRows[k] as number;
    if (!(r >= (img.start[k] as number) && r < (img.start[k] as number) + (img.count[k] as number))) {
      throw new LvrError('SHAPE_MISMATCH', `hopLoss: target row ${r} of latent ${k} is not a token of its image`);
    }
  }
  return tf.tidy(() => {
    const logits = pointerLogits(query, stopGradient(visual), img);
    const target = tf.tensor1d(targetRows, 'int32');
    const loss = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(target, nv)), -1))) as tf.Scalar;
    const acc = tf.mean(tf.cast(tf.equal(tf.argMax(stopGradient(logits), -1), target), 'float32')) as tf.Scalar;
    return { loss, acc };
  });
}

/**
 * Pointer loss at `<|lvr_start|>`: a distribution over the image's visual tokens from the dot products of the
 * query (the vector the model would feed as its first latent) with each token, softmax(q·v_j / √D), trained by
 * cross-entropy toward the uniform distribution over the span's ROI tokens. (A component shared by all tokens of
 * the image — the background — cancels in the softmax, so no centring is needed.) Mean over spans; none → 0.
 *
 * @example
 * const l = pointerLoss(query, visual, [Int32Array.of(5, 6)], images); // one span, ROI rows 5 and 6
 */
export function pointerLoss(query: tf.Tensor2D, visual: tf.Tensor2D, roiRows: readonly Int32Array[], img: LatentImages): tf.Scalar {
  const n = query.shape[0];
  const nv = visual.shape[0];
  if (roiRows.length !== n) throw new LvrError('SHAPE_MISMATCH', `pointerLoss: ${roiRows.length} ROI sets for ${n} queries`);
  if (n === 0) return tf.scalar(0);
  checkImages(img, n, nv);
  const q = new Float32Array(n * nv);
  roiRows.forEach((rows, k) => {
    const uniq = [...new Set(rows)];
    if (uniq.length === 0) throw new LvrError('INVALID_ARGUMENT', `pointerLoss: span ${k} has no ROI token`);
    for (const r of uniq) q[k * nv + r] = 1 / uniq.length;
  });
  return tf.tidy(() => {
    const logp = tf.logSoftmax(dotLogits(query, stopGradient(visual), img));
    return tf.neg(tf.mean(tf.sum(tf.mul(logp, tf.tensor2d(q, [n, nv])), -1))) as tf.Scalar;
  });
}

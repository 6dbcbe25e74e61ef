import * as tf from '@tensorflow/tfjs';
import { LvrError } from '@lvr/core';
import { customOp } from './custom-op.js';
import { backwardJs, backwardMatmul, checkDims, forwardJs, forwardMatmul, maskInfo, type Saved } from './attention-kernels.js';

/**
 * Scaled dot-product attention core `softmax(scale·Q·Kᵀ + mask)·V` over (B·H) independent heads, with a
 * hand-written backward. On tfjs-wasm every batched matMul (and tfjs' own matMul gradient, which uses
 * transpose flags) runs on a scalar fallback at 2–3 GFLOP/s, and splitting a tensor into B·H slices with tf
 * ops costs about the whole input per slice. This op reads its operands back once and cuts them in JS; each
 * pass then either runs every per-head product as a rank-2, flag-free `tf.matMul` (XNNPACK; the `matmul`
 * kernel) or computes it in JS loops that skip blocked keys (`js`). A cost model ({@link planAttention})
 * picks per pass, and keeps the autodiff formulation where that is cheapest (decoding with L ≈ 1).
 *
 * Semantics are exactly those of the autodiff formulation ({@link attentionAutodiff}), float32 rounding
 * aside: scores are rounded to float32 before the additive mask is added, so a fully masked row (every key
 * at −1e9) gets the same finite, uniform weights as there — never NaN. Wherever a row has a visible key,
 * blocked keys get weight exactly 0 and therefore exactly zero gradient.
 */

/** Which formulation `attention` layers use: tfjs autodiff over batched matMuls, or {@link attentionCore}. */
export type AttentionImpl = 'autodiff' | 'loop';

/**
 * How {@link attentionCore} computes: `js` loops, per-head rank-2 `tf.matMul`s, the `autodiff` formulation,
 * or `auto`: per pass, whatever {@link planAttention} predicts to be fastest for the shape and mask.
 */
export type AttentionKernel = 'auto' | 'js' | 'matmul' | 'autodiff';

let currentImpl: AttentionImpl = 'loop';

/**
 * Selects the attention implementation of every `attention` layer (process-wide; default `loop`, the
 * faster one). `autodiff` is the original formulation, kept for benchmarks and as a test reference.
 *
 * @example
 * setAttentionImpl('autodiff'); // time the old path
 */
export function setAttentionImpl(impl: AttentionImpl): void {
  if (impl !== 'autodiff' && impl !== 'loop') throw new LvrError('INVALID_ARGUMENT', `attention implementation must be 'autodiff' or 'loop', got '${String(impl)}'`);
  currentImpl = impl;
}

/** The implementation `attention` layers currently use. */
export function getAttentionImpl(): AttentionImpl {
  return currentImpl;
}

/**
 * The reference formulation: batched `tf.matMul`s, `tf.softmax` and tfjs autodiff. q3 (B·H, L, dk),
 * k3 (B·H, S, dk), v3 (B·H, S, dv), additive mask (B, 1, L, S) → (B·H, L, dv).
 *
 * @example
 * const ref = attentionAutodiff(q3, k3, v3, mask, 1 / Math.sqrt(d)); // (B·H, L, d)
 */
export function attentionAutodiff(q3: tf.Tensor3D, k3: tf.Tensor3D, v3: tf.Tensor3D, mask: tf.Tensor4D, scale: number): tf.Tensor3D {
  const { bh, l, s, headsPerMask } = checkDims(q3, k3, v3, mask, scale);
  return tf.tidy(() => {
    const scores = tf.reshape(tf.mul(tf.matMul(q3, k3, false, true), scale), [bh / headsPerMask, headsPerMask, l, s]); // (B, H, L, S)
    const p = tf.reshape(tf.softmax(tf.add(scores, mask)), [bh, l, s]) as tf.Tensor3D; // (B·H, L, S)
    return tf.matMul(p, v3);
  });
}

/** What {@link attentionCore} runs: the autodiff formulation, or the custom op with a kernel per pass. */
export type AttentionPlan = 'autodiff' | { forward: 'js' | 'matmul'; backward: 'js' | 'matmul' };

/**
 * The plan `auto` picks: the smallest predicted time (µs) per pass, fitted to CPU times measured on tfjs-wasm
 * inside training steps of the demo model and on isolated calls (B·H = 4–128, L = 1–128, S = 16–128, head
 * width 8–64, causal and dense masks; bench/train-step.ts). Autodiff pays per (query, key) pair and width
 * on the batched-matMul fallback but never reads back; JS loops pay per visible pair and width plus
 * per-head cutting; per-head matMuls pay a fixed cost per head (≈ 5–12 tensor ops) plus passes over every
 * pair. Without a gradient tape (`training: false`) only the forward counts. So decoding (L ≈ 1) stays on
 * autodiff, causal training on narrow heads runs in JS, dense attention uses matMuls forward.
 *
 * @example
 * planAttention({ bh: 128, l: 64, s: 64, dk: 16, dv: 16, visible: 0.51 }); // { forward: 'js', backward: 'js' }
 */
export function planAttention(d: { bh: number; l: number; s: number; dk: number; dv: number; visible: number; training?: boolean }): AttentionPlan {
  const pairs = d.bh * d.l * d.s, vis = pairs * d.visible, w = d.dk + d.dv, training = d.training ?? true;
  const fwd = { js: 0.002 * d.bh * d.s * w + vis * (0.012 + 0.0008 * w), matmul: 30 * d.bh + pairs * (0.004 + 0.0004 * w) };
  const bwd = { js: 0.0032 * d.bh * d.s * w + vis * (0.026 + 0.001 * w), matmul: 150 * d.bh + pairs * (0.01 + 0.0006 * w) };
  const autodiff = training ? 150 + 8 * d.bh + pairs * (0.019 + 0.0027 * w) : 50 + d.bh + pairs * (0.008 + 0.0009 * w);
  const plan = { forward: fwd.js <= fwd.matmul ? 'js' : 'matmul', backward: bwd.js <= bwd.matmul ? 'js' : 'matmul' } as const;
  return autodiff < fwd[plan.forward] + (training ? bwd[plan.backward] : 0) ? 'autodiff' : plan;
}

/**
 * `softmax(scale·q·kᵀ + mask)·v` per head as one custom op with a hand-written backward (see the module
 * comment). q3 (B·H, L, dk), k3 (B·H, S, dk), v3 (B·H, S, dv), additive mask (B, 1, L, S) with 0 = attend
 * and −1e9 = blocked (a batch-1 mask is shared by all heads); H = B·H / B. Returns (B·H, L, dv). The mask
 * gets no gradient. `kernel` (default `auto`: {@link planAttention}) forces an implementation, for both
 * passes or per pass; all agree to float32 rounding.
 *
 * @example
 * const o = attentionCore(q3, k3, v3, mask, 1 / Math.sqrt(d)); // (B·H, L, d)
 */
export function attentionCore(q3: tf.Tensor3D, k3: tf.Tensor3D, v3: tf.Tensor3D, mask: tf.Tensor4D, scale: number, opts: { kernel?: AttentionKernel | AttentionPlan } = {}): tf.Tensor3D {
  const d = checkDims(q3, k3, v3, mask, scale);
  const info = maskInfo(mask, d.l, d.s);
  const choice = opts.kernel ?? 'auto';
  const training = tf.engine().state.gradientDepth > 0; // a gradient tape is recording
  const plan = choice === 'auto' ? planAttention({ ...d, visible: info.visible, training }) : choice === 'js' || choice === 'matmul' ? { forward: choice, backward: choice } : choice;
  const kinds = ['js', 'matmul'];
  if (plan !== 'autodiff' && !(kinds.includes(plan.forward) && kinds.includes(plan.backward))) {
    throw new LvrError('INVALID_ARGUMENT', `attentionCore: kernel must be auto | js | matmul | autodiff or { forward, backward } of js | matmul, got ${JSON.stringify(choice)}`);
  }
  if (plan === 'autodiff') return attentionAutodiff(q3, k3, v3, mask, scale);
  const sc = Math.fround(scale); // the reference multiplies by a float32 scalar
  const op = customOp<tf.Tensor3D>(([q, k, v]) => {
    const sv: Saved = {
      q: (q as tf.Tensor).dataSync() as Float32Array, k: (k as tf.Tensor).dataSync() as Float32Array, v: (v as tf.Tensor).dataSync() as Float32Array,
      p: new Float32Array(d.bh * d.l * d.s), rows: new Int32Array(2 * d.bh * d.l),
    };
    const value = plan.forward === 'js' ? tf.tensor3d(forwardJs(d, sv, info.data, sc), [d.bh, d.l, d.dv]) : forwardMatmul(d, sv, mask, info.data, sc);
    return {
      value,
      gradFunc: (dy) => {
        const dO = dy.dataSync() as Float32Array;
        if (plan.backward === 'matmul') return backwardMatmul(d, sv, sc, dO);
        const [gq, gk, gv] = backwardJs(d, sv, sc, dO) as [Float32Array, Float32Array, Float32Array];
        return [tf.tensor3d(gq, [d.bh, d.l, d.dk]), tf.tensor3d(gk, [d.bh, d.s, d.dk]), tf.tensor3d(gv, [d.bh, d.s, d.dv])];
      },
    };
  });
  return op(q3, k3, v3);
}

/**
 * Attention core through the implementation chosen with {@link setAttentionImpl} (what `attention` layers call).
 *
 * @example
 * const o = scaledDotAttention(q3, k3, v3, mask, 1 / Math.sqrt(d)); // (B·H, L, d)
 */
export function scaledDotAttention(q3: tf.Tensor3D, k3: tf.Tensor3D, v3: tf.Tensor3D, mask: tf.Tensor4D, scale: number): tf.Tensor3D {
  return currentImpl === 'autodiff' ? attentionAutodiff(q3, k3, v3, mask, scale) : attentionCore(q3, k3, v3, mask, scale);
}

import * as tf from '@tensorflow/tfjs';
import { matMulConst } from './linear.js';

/**
 * Rotary position embeddings as tables: for each row a `cos` and `sin` vector of the head dimension, so
 * that `rope(x) = x·cos + rotate_half(x)·sin` with `rotate_half(x) = [−x₂, x₁]`. Tables are built in JS
 * from integer positions; `rotate_half` is a constant matMul (fast path, no slicing in the gradient).
 */
export interface RopeTables {
  /** (rows, headDim) */
  cos: tf.Tensor2D;
  /** (rows, headDim) */
  sin: tf.Tensor2D;
}

/** Inverse frequencies θ^(−2i/dim) for i < dim/2. */
export function inverseFrequencies(dim: number, theta: number): Float64Array {
  const out = new Float64Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) out[i] = 1 / Math.pow(theta, (2 * i) / dim);
  return out;
}

/**
 * Qwen2.5-VL M-RoPE tables for the LM. `positionIds` is axis-major (3, n): rows of t, h and w positions.
 * Frequency index i of the rotary half uses axis t for i < s₀, h for i < s₀+s₁, else w (mrope_section).
 * Returns Float32Arrays (n, headDim).
 */
export function mropeTables(positionIds: Int32Array, n: number, headDim: number, theta: number, section: readonly [number, number, number]): { cos: Float32Array; sin: Float32Array } {
  const half = headDim / 2;
  const inv = inverseFrequencies(headDim, theta);
  const axisOf = new Int32Array(half);
  for (let i = 0; i < half; i++) axisOf[i] = i < section[0] ? 0 : i < section[0] + section[1] ? 1 : 2;
  const cos = new Float32Array(n * headDim);
  const sin = new Float32Array(n * headDim);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < half; i++) {
      const pos = positionIds[(axisOf[i] as number) * n + r] as number;
      const a = pos * (inv[i] as number);
      const c = Math.cos(a), s = Math.sin(a);
      cos[r * headDim + i] = c; cos[r * headDim + i + half] = c;
      sin[r * headDim + i] = s; sin[r * headDim + i + half] = s;
    }
  }
  return { cos, sin };
}

/**
 * 2-D rotary tables of the ViT (as Qwen2.5-VL's vision tower): the first quarter-frequencies rotate by the
 * patch row, the second by the patch column. `rows`/`cols` give each patch's position on the patch grid.
 */
export function visionRopeTables(rows: Int32Array, cols: Int32Array, headDim: number, theta = 10000): { cos: Float32Array; sin: Float32Array } {
  const half = headDim / 2;
  const quarter = half / 2;
  const inv = inverseFrequencies(half, theta); // length quarter
  const n = rows.length;
  const cos = new Float32Array(n * headDim);
  const sin = new Float32Array(n * headDim);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < half; i++) {
      const a = i < quarter ? (rows[r] as number) * (inv[i] as number) : (cols[r] as number) * (inv[i - quarter] as number);
      const c = Math.cos(a), s = Math.sin(a);
      cos[r * headDim + i] = c; cos[r * headDim + i + half] = c;
      sin[r * headDim + i] = s; sin[r * headDim + i + half] = s;
    }
  }
  return { cos, sin };
}

const rotCache = new Map<number, { r: tf.Tensor2D; rT: tf.Tensor2D }>();

/** The constant (d, d) matrix R with x·R = rotate_half(x); kept for the process lifetime (tiny). */
function rotateHalfMatrix(d: number): { r: tf.Tensor2D; rT: tf.Tensor2D } {
  let m = rotCache.get(d);
  if (!m) {
    const half = d / 2;
    const a = new Float32Array(d * d);
    for (let j = 0; j < half; j++) a[(j + half) * d + j] = -1; // out[j] = −x[j+half]
    for (let j = half; j < d; j++) a[(j - half) * d + j] = 1; // out[j] = x[j−half]
    const r = tf.keep(tf.tensor2d(a, [d, d]));
    const rT = tf.keep(tf.transpose(r));
    m = { r, rT };
    rotCache.set(d, m);
  }
  return m;
}

/**
 * Applies rotary embeddings to `x` (n, heads·headDim) with tables (n, headDim) shared by all heads.
 */
export function applyRope(x: tf.Tensor2D, cos: tf.Tensor2D, sin: tf.Tensor2D, heads: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [n] = x.shape;
    const d = cos.shape[1];
    const { r, rT } = rotateHalfMatrix(d);
    const x3 = tf.reshape(x, [n, heads, d]); // (n, H, d)
    const rot = tf.reshape(matMulConst(tf.reshape(x, [n * heads, d]) as tf.Tensor2D, r, rT), [n, heads, d]); // (n, H, d)
    const c = tf.reshape(cos, [n, 1, d]);
    const s = tf.reshape(sin, [n, 1, d]);
    return tf.reshape(tf.add(tf.mul(x3, c), tf.mul(rot, s)), [n, heads * d]) as tf.Tensor2D; // (n, H·d)
  });
}

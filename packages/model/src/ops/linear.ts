import * as tf from '@tensorflow/tfjs';
import { customOp } from './custom-op.js';

/**
 * Fast-path linear layers for tfjs-wasm. `tf.matMul` only takes XNNPACK's fast path for rank-2 operands
 * without transpose flags, and tfjs' own matMul gradient uses transpose flags; so these ops take rank-2
 * inputs and their hand-written backward passes transpose explicitly (see docs/performance.md).
 */

const linearNoBias = customOp<tf.Tensor2D>(([x, w], save) => {
  save([x as tf.Tensor, w as tf.Tensor]);
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    gradFunc: (dy, [xs, ws]) => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(ws as tf.Tensor2D)),
      tf.matMul(tf.transpose(xs as tf.Tensor2D), dy as tf.Tensor2D),
    ],
  };
});

const linearBias = customOp<tf.Tensor2D>(([x, w, b], save) => {
  save([x as tf.Tensor, w as tf.Tensor]);
  return {
    value: tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b as tf.Tensor),
    gradFunc: (dy, [xs, ws]) => {
      const dy2 = dy as tf.Tensor2D;
      // Column sum through a ones-row matMul (a reduction over axis 0 would transpose first).
      const db = tf.reshape(tf.matMul(tf.ones([1, dy2.shape[0]]) as tf.Tensor2D, dy2), [dy2.shape[1]]);
      return [tf.matMul(dy2, tf.transpose(ws as tf.Tensor2D)), tf.matMul(tf.transpose(xs as tf.Tensor2D), dy2), db];
    },
  };
});

/**
 * `x · w (+ b)` for `x` (N, in), `w` (in, out), `b` (out).
 *
 * @example
 * const y = linear(x, w, b); // (N, out)
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  return b ? linearBias(x, w, b) : linearNoBias(x, w);
}

/**
 * `x · c` for a constant matrix `c` (its transpose `cT` given): gradient only for `x`. Used for rotary
 * `rotate_half`.
 */
export function matMulConst(x: tf.Tensor2D, c: tf.Tensor2D, cT: tf.Tensor2D): tf.Tensor2D {
  const f = customOp<tf.Tensor2D>(([xi], save) => {
    save([]);
    return { value: tf.matMul(xi as tf.Tensor2D, c), gradFunc: (dy) => [tf.matMul(dy as tf.Tensor2D, cT)] };
  });
  return f(x);
}

/**
 * Tied LM head: `h · Eᵀ` for `h` (N, D) and the embedding `E` (V, D) → logits (N, V), with explicit transposes in
 * both directions (dh = dlogits · E, dE = dlogitsᵀ · h).
 */
export const tiedHead = customOp<tf.Tensor2D>(([h, e], save) => {
  save([h as tf.Tensor, e as tf.Tensor]);
  return {
    value: tf.matMul(h as tf.Tensor2D, tf.transpose(e as tf.Tensor2D)),
    gradFunc: (dy, [hs, es]) => {
      const dy2 = dy as tf.Tensor2D;
      return [tf.matMul(dy2, es as tf.Tensor2D), tf.matMul(tf.transpose(dy2), hs as tf.Tensor2D)];
    },
  };
}) as (h: tf.Tensor2D, e: tf.Tensor2D) => tf.Tensor2D;

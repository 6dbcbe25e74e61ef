import * as tf from '@tensorflow/tfjs';
import { customOp } from './custom-op.js';

/**
 * Fast-path linear layers for tfjs-wasm, with PyTorch's weight layout `W` (out, in): `y = x·Wᵀ + b`.
 * `tf.matMul` only takes XNNPACK's fast path for rank-2 operands without transpose flags, and tfjs' own
 * matMul gradient uses transpose flags; so the forward transposes the (small) weight explicitly and the
 * hand-written backward needs no flags: dx = dy·W, dW = dyᵀ·x, db = 1ᵀ·dy (see docs/performance.md).
 */

const linearNoBias = customOp<tf.Tensor2D>(([x, w], save) => {
  save([x as tf.Tensor, w as tf.Tensor]);
  return {
    value: tf.matMul(x as tf.Tensor2D, tf.transpose(w as tf.Tensor2D)),
    gradFunc: (dy, [xs, ws]) => [
      tf.matMul(dy as tf.Tensor2D, ws as tf.Tensor2D),
      tf.matMul(tf.transpose(dy as tf.Tensor2D), xs as tf.Tensor2D),
    ],
  };
});

const linearBias = customOp<tf.Tensor2D>(([x, w, b], save) => {
  save([x as tf.Tensor, w as tf.Tensor]);
  return {
    value: tf.add(tf.matMul(x as tf.Tensor2D, tf.transpose(w as tf.Tensor2D)), b as tf.Tensor),
    gradFunc: (dy, [xs, ws]) => {
      const dy2 = dy as tf.Tensor2D;
      // Column sum through a ones-row matMul (a reduction over axis 0 would transpose first).
      const db = tf.reshape(tf.matMul(tf.ones([1, dy2.shape[0]]) as tf.Tensor2D, dy2), [dy2.shape[1]]);
      return [tf.matMul(dy2, ws as tf.Tensor2D), tf.matMul(tf.transpose(dy2), xs as tf.Tensor2D), db];
    },
  };
});

/**
 * `x · Wᵀ (+ b)` for `x` (N, in), `W` (out, in), `b` (out) → (N, out).
 *
 * @example
 * const y = linear(x, w, b); // (N, out)
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  return b ? linearBias(x, w, b) : linearNoBias(x, w);
}

/**
 * Tied LM head: `h · Eᵀ` for `h` (N, D) and the embedding `E` (V, D) → logits (N, V); the same op as a
 * bias-free linear layer whose weight is E.
 */
export function tiedHead(h: tf.Tensor2D, e: tf.Tensor2D): tf.Tensor2D {
  return linearNoBias(h, e);
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

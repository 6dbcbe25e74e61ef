import * as tf from '@tensorflow/tfjs';

/**
 * RMSNorm over the last axis: `x / sqrt(mean(x²) + eps) · g`, computed in float32.
 * `x` (N, D), `g` (D) → (N, D).
 */
export function rmsNorm(x: tf.Tensor2D, g: tf.Tensor1D, eps: number): tf.Tensor2D {
  return tf.tidy(() => {
    const ms = tf.mean(tf.square(x), -1, true); // (N, 1)
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, eps))), g) as tf.Tensor2D;
  });
}

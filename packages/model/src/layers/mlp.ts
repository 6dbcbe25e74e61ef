import * as tf from '@tensorflow/tfjs';
import { linear } from '../ops/linear.js';

/** SwiGLU MLP weights (Qwen2): down(silu(gate(x)) ⊙ up(x)). Shapes (in, out). */
export interface SwiGluWeights {
  gate: tf.Tensor2D;
  up: tf.Tensor2D;
  down: tf.Tensor2D;
}

/** `x` (N, D) → (N, D). */
export function swiGlu(x: tf.Tensor2D, w: SwiGluWeights): tf.Tensor2D {
  return tf.tidy(() => {
    const g = linear(x, w.gate); // (N, I)
    const u = linear(x, w.up); // (N, I)
    const act = tf.mul(tf.mul(g, tf.sigmoid(g)), u) as tf.Tensor2D; // silu(g) ⊙ u
    return linear(act, w.down);
  });
}

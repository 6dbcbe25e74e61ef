import * as tf from '@tensorflow/tfjs';
import { LvrError } from '@lvr/core';
import { customOp } from './custom-op.js';

/** Regression losses for LVR (reference `set_lvr_loss_fct`). */
export type LvrLossKind = 'mse' | 'mae' | 'cosine';

/**
 * Mean cross-entropy of `logits` (M, V) against integer `targets` (M). M = 0 → 0 (never NaN).
 */
export function crossEntropy(logits: tf.Tensor2D, targets: Int32Array): tf.Scalar {
  const [m, v] = logits.shape;
  if (targets.length !== m) throw new LvrError('SHAPE_MISMATCH', `crossEntropy: ${targets.length} targets for ${m} rows`);
  if (m === 0) return tf.scalar(0);
  for (const t of targets) if (t < 0 || t >= v) throw new LvrError('SHAPE_MISMATCH', `crossEntropy: target ${t} outside [0, ${v})`);
  // Fused softmax cross-entropy: forward from tf.softmax (a fast kernel on wasm; no logSumExp / Equal in the
  // gradient), backward (softmax − onehot) / M, computed in JS from the saved probabilities.
  const f = customOp<tf.Scalar>(([x], save) => {
    const p = tf.softmax(x as tf.Tensor2D);
    save([p]);
    const pv = p.dataSync() as Float32Array;
    let sum = 0;
    for (let i = 0; i < m; i++) sum -= Math.log(Math.max(pv[i * v + (targets[i] as number)] as number, 1e-30));
    return {
      value: tf.scalar(sum / m),
      gradFunc: (dy, [ps]) => {
        const g = Float32Array.from((ps as tf.Tensor).dataSync() as Float32Array);
        const scale = ((dy.dataSync() as Float32Array)[0] as number) / m;
        for (let i = 0; i < m; i++) g[i * v + (targets[i] as number)] = (g[i * v + (targets[i] as number)] as number) - 1;
        for (let i = 0; i < g.length; i++) g[i] = (g[i] as number) * scale;
        return [tf.tensor2d(g, [m, v])];
      },
    };
  });
  return f(logits);
}

/**
 * LVR regression between predictions and (stop-gradient) targets, both (K, D).
 * `mse`: mean over all K·D elements (the reference's reduction); `mae`: mean |·|; `cosine`: 1 − mean cosine.
 * An empty set (K = 0) gives 0, never NaN.
 */
export function lvrRegressionLoss(pred: tf.Tensor2D, target: tf.Tensor2D, kind: LvrLossKind): tf.Scalar {
  if (pred.shape[0] !== target.shape[0] || pred.shape[1] !== target.shape[1]) {
    throw new LvrError('SHAPE_MISMATCH', `LVR loss: prediction [${pred.shape}] vs target [${target.shape}]`);
  }
  if (pred.shape[0] === 0) return tf.scalar(0);
  return tf.tidy(() => {
    const diff = tf.sub(pred, target);
    if (kind === 'mse') return tf.mean(tf.square(diff)) as tf.Scalar;
    if (kind === 'mae') return tf.mean(tf.abs(diff)) as tf.Scalar;
    const dot = tf.sum(tf.mul(pred, target), -1);
    const np = tf.sqrt(tf.add(tf.sum(tf.square(pred), -1), 1e-12));
    const nt = tf.sqrt(tf.add(tf.sum(tf.square(target), -1), 1e-12));
    return tf.sub(1, tf.mean(tf.div(dot, tf.mul(np, nt)))) as tf.Scalar;
  });
}

/** Mean binary cross-entropy with logits; empty → 0. Numerically stable form max(x,0) − x·y + log(1+e^−|x|). */
export function bceWithLogits(logits: tf.Tensor1D, targets: Float32Array): tf.Scalar {
  if (logits.shape[0] !== targets.length) throw new LvrError('SHAPE_MISMATCH', `BCE: ${targets.length} targets for ${logits.shape[0]} logits`);
  if (targets.length === 0) return tf.scalar(0);
  return tf.tidy(() => {
    const y = tf.tensor1d(targets);
    const loss = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return tf.mean(loss) as tf.Scalar;
  });
}

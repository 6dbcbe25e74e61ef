import * as tf from '@tensorflow/tfjs';
import { LvrError } from '@lvr/core';

/**
 * Global L2 norm `√(Σ_i Σ g_i²)` over all gradients as a scalar tensor. Each gradient is reduced with one
 * full reduction (all axes at once on the flattened tensor, which the wasm backend does without the slow
 * transpose an axis-0 sum needs), then the per-tensor sums are added with a single `addN`.
 */
export function globalNorm(grads: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    if (grads.length === 0) return tf.scalar(0);
    const sums = grads.map((g) => tf.sum(tf.square(tf.reshape(g, [-1])))); // (n,) → ()
    return tf.sqrt(sums.length === 1 ? (sums[0] as tf.Scalar) : tf.addN(sums)) as tf.Scalar;
  });
}

/** Result of {@link clipByGlobalNorm}. */
export interface ClipResult {
  grads: Map<string, tf.Tensor>;
  /** Global norm before clipping (NaN/Inf when a gradient is non-finite). */
  norm: number;
  /** True when the gradients were scaled down. */
  clipped: boolean;
}

/**
 * Global-norm gradient clipping as `torch.nn.utils.clip_grad_norm_`: when the norm exceeds `maxNorm`,
 * every gradient is scaled by `maxNorm / (norm + 1e-6)`. Takes ownership of `grads`: the result holds the
 * same tensors when nothing was clipped, otherwise new ones (the inputs are disposed). `maxNorm` null or 0
 * only measures. A non-finite norm is returned as is, without scaling, for the caller to handle.
 *
 * @example
 * const { grads: clipped, norm } = clipByGlobalNorm(grads, 1.0);
 */
export function clipByGlobalNorm(grads: Map<string, tf.Tensor>, maxNorm: number | null): ClipResult {
  if (maxNorm !== null && !(maxNorm >= 0 && Number.isFinite(maxNorm))) {
    throw new LvrError('INVALID_ARGUMENT', `clipByGlobalNorm: maxNorm must be finite and ≥ 0, got ${maxNorm}`);
  }
  const normT = globalNorm([...grads.values()]);
  const norm = (normT.dataSync() as Float32Array)[0] as number;
  normT.dispose();
  if (!maxNorm || !Number.isFinite(norm)) return { grads, norm, clipped: false };
  const coef = maxNorm / (norm + 1e-6);
  if (coef >= 1) return { grads, norm, clipped: false };
  const out = new Map<string, tf.Tensor>();
  for (const [name, g] of grads) {
    out.set(name, tf.mul(g, coef));
    g.dispose();
  }
  return { grads: out, norm, clipped: true };
}

import { LvrError } from '@lvr/core';

/** Distance criteria between a latent vector and a target vector. */
export type DistanceCriterion = 'mse' | 'mae' | 'cosine';

/** The criteria {@link latentDistance} accepts. */
export const DISTANCE_CRITERIA: readonly DistanceCriterion[] = Object.freeze(['mse', 'mae', 'cosine']);

/**
 * Distance between two vectors of one row: `mse` = mean over D of (a−b)², `mae` = mean of |a−b|,
 * `cosine` = 1 − cos(a, b) (0 for parallel vectors; a zero vector has cosine similarity 0, distance 1).
 * Unlike the reference, `cosine` is per row: rows in a batch never influence each other.
 *
 * @example
 * latentDistance(Float32Array.of(1, 0), Float32Array.of(0, 1), 'cosine'); // 1
 * latentDistance(Float32Array.of(1, 1), Float32Array.of(0, 1), 'mse');    // 0.5
 */
export function latentDistance(a: ArrayLike<number>, b: ArrayLike<number>, criterion: DistanceCriterion): number {
  if (a.length !== b.length) {
    throw new LvrError('SHAPE_MISMATCH', `latentDistance: vectors have ${a.length} and ${b.length} values`, {
      details: { a: a.length, b: b.length },
    });
  }
  if (criterion === 'cosine') return 1 - cosineSimilarity(a, b);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    sum += criterion === 'mse' ? d * d : Math.abs(d);
  }
  return a.length === 0 ? 0 : sum / a.length;
}

/** cos(a, b); 0 when either vector is zero. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

import { LvrError } from '@lvr/core';

/** Result of {@link holmCorrection}, in the order of the input p-values. */
export interface HolmResult {
  /** Holm-adjusted p-values (monotone in the sorted order, capped at 1). */
  readonly adjusted: number[];
  /** Whether each hypothesis is rejected at `alpha` (adjusted p ≤ alpha). */
  readonly rejected: boolean[];
  readonly alpha: number;
}

/**
 * Holm's step-down correction for m comparisons (controls the family-wise error rate): with the p-values sorted
 * ascending p₍₁₎ ≤ … ≤ p₍ₘ₎, the adjusted value of p₍ᵢ₎ is `max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎)`. Ties keep
 * their input order. `INVALID_ARGUMENT` for a p-value outside [0, 1] or an alpha outside (0, 1).
 *
 * @example
 * holmCorrection([0.01, 0.04, 0.03, 0.005]);
 * // { adjusted: [0.03, 0.06, 0.06, 0.02], rejected: [true, false, false, true], alpha: 0.05 }
 */
export function holmCorrection(pvalues: readonly number[], alpha = 0.05): HolmResult {
  if (!(alpha > 0 && alpha < 1)) throw new LvrError('INVALID_ARGUMENT', `holmCorrection: alpha must be in (0, 1), got ${alpha}`);
  pvalues.forEach((p, i) => {
    if (!(typeof p === 'number' && p >= 0 && p <= 1)) throw new LvrError('INVALID_ARGUMENT', `holmCorrection: p-value ${i} must be in [0, 1], got ${String(p)}`);
  });
  const m = pvalues.length;
  const order = pvalues.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], j) => {
    running = Math.max(running, Math.min(1, (m - j) * p));
    adjusted[i] = running;
  });
  return { adjusted, rejected: adjusted.map((p) => p <= alpha), alpha };
}

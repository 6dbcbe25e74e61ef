import { LvrError } from '@lvr/core';
import type { MetricCi } from '../report/types.js';
import { bootstrapCi } from '../score/bootstrap.js';

/**
 * Paired bootstrap of an accuracy difference `mean(a) − mean(b)` over the same items (a probe's accuracy drop):
 * items are resampled together, so per-item correlation is kept and the CI is much tighter than two independent
 * CIs would suggest.
 *
 * @example
 * pairedDifferenceCi([true, true, false], [false, true, false], { seed: 0 }).value; // 1/3
 */
export function pairedDifferenceCi(a: readonly boolean[], b: readonly boolean[], o: { seed?: number; resamples?: number } = {}): MetricCi {
  if (a.length !== b.length) throw new LvrError('SHAPE_MISMATCH', `pairedDifferenceCi: ${a.length} vs ${b.length} items`);
  if (a.length === 0) return { value: 0, lo: 0, hi: 0, n: 0 };
  const diffs = a.map((x, i) => (x ? 1 : 0) - (b[i] ? 1 : 0));
  const mean = (s: readonly number[]): number => s.reduce((t, x) => t + x, 0) / s.length;
  const ci = bootstrapCi(mean, diffs, { seed: o.seed ?? 0, ...(o.resamples ? { resamples: o.resamples } : {}) });
  return { value: ci.value, lo: ci.lo, hi: ci.hi, n: a.length };
}

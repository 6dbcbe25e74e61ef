import { LvrError, Rng } from '@lvr/core';
import type { MetricCi } from '../report/types.js';

/**
 * Paired bootstrap of an accuracy difference `mean(a) − mean(b)` over the same items (a probe's accuracy drop):
 * items are resampled together, so per-item correlation is kept and the CI is much tighter than two
 * independent CIs would suggest.
 *
 * @example
 * pairedDifferenceCi([true, true, false], [false, true, false], { seed: 0 }); // value 1/3
 */
export function pairedDifferenceCi(a: readonly boolean[], b: readonly boolean[], o: { seed?: number; resamples?: number } = {}): MetricCi {
  if (a.length !== b.length) throw new LvrError('SHAPE_MISMATCH', `pairedDifferenceCi: ${a.length} vs ${b.length} items`);
  const n = a.length;
  if (n === 0) return { value: 0, lo: 0, hi: 0, n: 0 };
  const d = a.map((x, i) => (x ? 1 : 0) - (b[i] ? 1 : 0));
  const value = d.reduce((s, x) => s + x, 0) / n;
  const rng = new Rng(o.seed ?? 0);
  const reps = o.resamples ?? 2000;
  const stats = new Float64Array(reps);
  for (let r = 0; r < reps; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[rng.int(n)] as number;
    stats[r] = s / n;
  }
  stats.sort();
  return { value, lo: stats[Math.floor(0.025 * reps)] as number, hi: stats[Math.min(reps - 1, Math.ceil(0.975 * reps) - 1)] as number, n };
}

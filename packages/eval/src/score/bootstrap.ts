import { LvrError, Rng } from '@lvr/core';

/** Options of {@link bootstrapCi}. */
export interface BootstrapOptions<T> {
  /** Number of resamples (default 2000). */
  resamples?: number;
  /** The generator to draw with (default `new Rng(seed)`). */
  rng?: Rng;
  /** Seed when no `rng` is given (default 0). */
  seed?: number | string;
  /** Coverage of the interval (default 0.95). */
  level?: number;
  /**
   * Stratified resampling: items are resampled within their stratum, each stratum keeping its size (use it
   * for macro means, so every subtask stays in every resample, and for formulas over fixed groups).
   */
  strata?: (item: T) => string;
}

/** A point estimate with its percentile bootstrap interval. */
export interface Interval {
  readonly value: number;
  readonly lo: number;
  readonly hi: number;
}

function quantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const i = Math.floor(pos);
  const frac = pos - i;
  return i + 1 < sorted.length ? sorted[i]! * (1 - frac) + sorted[i + 1]! * frac : sorted[i]!;
}

/**
 * The statistic on `items` and its percentile bootstrap interval: `resamples` samples of the same size drawn
 * with replacement (within strata when `strata` is given), the statistic on each, and the
 * `(1 − level)/2` and `(1 + level)/2` quantiles (linear interpolation). Deterministic for a given seed.
 * The statistic receives a reused buffer: it must not keep it. `INVALID_ARGUMENT` for no items or bad
 * options, `NUMERIC` if the statistic is not finite.
 *
 * @example
 * const acc = (s: readonly boolean[]) => s.filter(Boolean).length / s.length;
 * bootstrapCi(acc, [true, true, false, true], { seed: 1 }); // { value: 0.75, lo: 0.25, hi: 1 }
 */
export function bootstrapCi<T>(statistic: (sample: readonly T[]) => number, items: readonly T[], opts: BootstrapOptions<T> = {}): Interval {
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  if (items.length === 0) throw new LvrError('INVALID_ARGUMENT', 'bootstrap: no items to resample');
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new LvrError('INVALID_ARGUMENT', `bootstrap: resamples must be a positive integer, got ${resamples}`, { details: { resamples } });
  }
  if (!(level > 0 && level < 1)) throw new LvrError('INVALID_ARGUMENT', `bootstrap: level must be in (0, 1), got ${level}`, { details: { level } });
  const finite = (v: number, what: string): number => {
    if (!Number.isFinite(v)) throw new LvrError('NUMERIC', `bootstrap: the statistic is ${v} on ${what}`, { details: { value: v } });
    return v;
  };
  const value = finite(statistic(items), 'the full sample');
  const rng = opts.rng ?? new Rng(opts.seed ?? 0);
  const groups: (readonly T[])[] = [];
  if (opts.strata === undefined) groups.push(items);
  else {
    const by = new Map<string, T[]>();
    for (const it of items) {
      const k = opts.strata(it);
      let g = by.get(k);
      if (g === undefined) by.set(k, (g = []));
      g.push(it);
    }
    groups.push(...by.values());
  }
  const sample = new Array<T>(items.length);
  const stats = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let k = 0;
    for (const g of groups) for (let j = 0; j < g.length; j++) sample[k++] = g[rng.int(g.length)]!;
    stats[r] = finite(statistic(sample), `resample ${r}`);
  }
  stats.sort();
  return { value, lo: quantile(stats, (1 - level) / 2), hi: quantile(stats, (1 + level) / 2) };
}

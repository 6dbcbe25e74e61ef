import { LvrError, Rng } from '@lvr/core';
import { bootstrapCi } from './bootstrap.js';

/** One reported number with its bootstrap 95 % interval; `n` counts the units (items, or pairs). */
export interface Metric {
  /** Slash-namespaced name, e.g. `mmvp/pair_accuracy`, `blink/macro`, `vstar/direct_attributes`. */
  readonly metric: string;
  /** A fraction in [0, 1]. */
  readonly value: number;
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
}

/** What a scorer reads from one result record. */
export interface ScorableResult {
  readonly id: string;
  readonly category: string;
  readonly correct: boolean;
  readonly pairId?: string | null | undefined;
  readonly groups?: Readonly<Record<string, string>> | undefined;
}

/** The metrics of one benchmark, plus notes on anything that limits them (subsets, incomplete pairs). */
export interface ScoreReport {
  readonly benchmark: string;
  readonly metrics: readonly Metric[];
  readonly notes: readonly string[];
}

/** Options of the scorers. */
export interface ScoreOptions {
  /** Bootstrap resamples per metric (default 2000). */
  resamples?: number;
  /** Each metric's generator is `new Rng(\`${seed}:${metric}\`)`, so adding a metric changes no other (default 0). */
  seed?: number;
  /** Interval coverage (default 0.95). */
  level?: number;
}

/** Fraction of `true`. */
export const meanCorrect = (s: readonly { correct: boolean }[]): number => {
  let c = 0;
  for (const r of s) if (r.correct) c++;
  return c / s.length;
};

/**
 * A {@link Metric}: `statistic` on `units` with a bootstrap interval whose generator is seeded from the
 * metric's name.
 */
export function metricOf<T>(
  name: string,
  units: readonly T[],
  statistic: (s: readonly T[]) => number,
  opts: ScoreOptions,
  strata?: (u: T) => string,
): Metric {
  const ci = bootstrapCi(statistic, units, {
    resamples: opts.resamples,
    level: opts.level,
    rng: new Rng(`${opts.seed ?? 0}:${name}`),
    ...(strata ? { strata } : {}),
  });
  return { metric: name, value: ci.value, lo: ci.lo, hi: ci.hi, n: units.length };
}

/** Groups by a key, keeping first-seen key order. */
export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    let g = out.get(k);
    if (g === undefined) out.set(k, (g = []));
    g.push(it);
  }
  return out;
}

/** Rejects an empty result list, a duplicate id (it would be counted twice) and a non-boolean `correct`. */
export function checkResults(results: readonly ScorableResult[], benchmark: string): void {
  if (results.length === 0) throw new LvrError('INVALID_ARGUMENT', `score ${benchmark}: no results to score`, { details: { benchmark } });
  const seen = new Set<string>();
  results.forEach((r, i) => {
    if (typeof r.correct !== 'boolean') {
      throw new LvrError('INVALID_ARGUMENT', `score ${benchmark}: result ${i} (${r.id}) has correct = ${String(r.correct)}, not a boolean`, { details: { index: i, id: r.id } });
    }
    if (seen.has(r.id)) {
      throw new LvrError('INVALID_ARGUMENT', `score ${benchmark}: id ${r.id} appears twice (merge shards with mergeResults first)`, { details: { id: r.id } });
    }
    seen.add(r.id);
  });
}

/**
 * Pair accuracy: only complete pairs (exactly two results sharing a `pairId`) count; a pair is right when
 * both of its results are. Results without a pair id are ignored. Returns the metric (or `undefined` when no
 * complete pair exists) and a note about incomplete pairs.
 */
export function pairAccuracy(name: string, results: readonly ScorableResult[], opts: ScoreOptions): { metric?: Metric; notes: string[] } {
  const pairs = groupBy(results.filter((r) => typeof r.pairId === 'string'), (r) => r.pairId as string);
  const complete = [...pairs.values()].filter((p) => p.length === 2);
  const notes: string[] = [];
  const incomplete = pairs.size - complete.length;
  if (incomplete > 0) notes.push(`${name}: ${incomplete} pair(s) without exactly two results were left out`);
  if (complete.length === 0) return { notes: [...notes, `${name}: no complete pair`] };
  const units = complete.map((p) => ({ correct: p.every((r) => r.correct) }));
  return { metric: metricOf(name, units, meanCorrect, opts), notes };
}

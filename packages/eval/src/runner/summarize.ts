import { Rng } from '@lvr/core';
import type { MetricCi, ReportRow } from '../report/types.js';
import type { EvalRecord } from './evaluate.js';

function quantiles(stats: Float64Array): [number, number] {
  stats.sort();
  const n = stats.length;
  return [stats[Math.floor(0.025 * n)] as number, stats[Math.min(n - 1, Math.ceil(0.975 * n) - 1)] as number];
}

/** Accuracy of booleans with a percentile-bootstrap 95 % CI (resampling items). */
export function accuracyCi(correct: readonly boolean[], seed = 0, resamples = 2000): MetricCi {
  const n = correct.length;
  if (n === 0) return { value: Number.NaN, lo: Number.NaN, hi: Number.NaN, n: 0 };
  const x: number[] = correct.map((c) => (c ? 1 : 0));
  const value = x.reduce((a, b) => a + b, 0) / n;
  const rng = new Rng(seed);
  const stats = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[rng.int(n)] as number;
    stats[r] = s / n;
  }
  const [lo, hi] = quantiles(stats);
  return { value, lo, hi, n };
}

/** MMVP-style pair accuracy (a pair counts only if all its items are correct), bootstrap over pairs. */
export function pairAccuracyCi(records: readonly EvalRecord[], seed = 0, resamples = 2000): MetricCi | undefined {
  const pairs = new Map<string, boolean>();
  for (const r of records) {
    if (r.pairId === undefined) continue;
    const key = `${r.category}:${r.pairId}`;
    pairs.set(key, (pairs.get(key) ?? true) && r.correct);
  }
  if (pairs.size === 0) return undefined;
  return accuracyCi([...pairs.values()], seed, resamples);
}

/**
 * One report row from the records of one configuration: overall and per-category accuracy with CIs, pair
 * accuracy where pairs exist, mean latent steps.
 */
export function summarizeRecords(records: readonly EvalRecord[], meta: { label: string; model: string; backend: string; seed?: number }): ReportRow {
  const seed = meta.seed ?? 0;
  const byTask = new Map<string, boolean[]>();
  for (const r of records) {
    const list = byTask.get(r.category) ?? [];
    list.push(r.correct);
    byTask.set(r.category, list);
  }
  const perTask: Record<string, MetricCi> = {};
  for (const [k, v] of [...byTask].sort(([a], [b]) => a.localeCompare(b))) perTask[k] = accuracyCi(v, seed);
  return {
    label: meta.label,
    model: meta.model,
    strategy: records[0]?.strategy ?? '-',
    backend: meta.backend,
    overall: accuracyCi(records.map((r) => r.correct), seed),
    perTask,
    pair: pairAccuracyCi(records, seed),
    meanLatentSteps: records.length ? records.reduce((s, r) => s + r.latentSteps, 0) / records.length : 0,
    items: records.length,
  };
}

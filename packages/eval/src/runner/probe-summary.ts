import { LvrError } from '@lvr/core';
import type { MetricCi } from '../report/types.js';
import { bootstrapCi } from '../score/bootstrap.js';
import { hierarchicalBootstrap, hierarchicalMean, type HierarchicalDifference, type HierarchicalMean } from '../score/hierarchical.js';
import type { EvalRecord } from './evaluate.js';
import { pairedDifferenceCi } from './paired.js';
import type { ProbeKind } from './probes.js';

/**
 * Report rows of the Token Replacement Test: one row per probe, comparing a probe run with the same model's normal
 * run on the same items — accuracy, the paired drop, the counterfactual follow rate and per-hop decodability.
 */

/** Per hop t (0-based), the fraction of items whose t-th latent decodes to the hop-t cell (dot product and L2). */
export interface HopDecodabilityRow {
  readonly category: string;
  /** The items' hop count k (undefined when the records carry none). */
  readonly hops: number | undefined;
  /** Items with a per-hop measurement. */
  readonly n: number;
  readonly dot: number[];
  readonly l2: number[];
}

/** One probe of one model (one seed). Fractions in [0, 1]. */
export interface ProbeSummaryRow {
  readonly probe: ProbeKind;
  /** Items in both runs (the comparison's n). */
  readonly items: number;
  /** Normal-run accuracy on those items, bootstrap 95 % CI. */
  readonly normal: MetricCi;
  /** Probe-run accuracy, bootstrap 95 % CI. */
  readonly accuracy: MetricCi;
  /** `normal − probe` accuracy, paired bootstrap 95 % CI (positive = the probe hurts). */
  readonly drop: MetricCi;
  /** `counterfactual`: the fraction of answers equal to the counterfactual chain's answer, bootstrap 95 % CI. */
  readonly followRate?: MetricCi | undefined;
}

const frac = (xs: readonly boolean[]): number => xs.filter(Boolean).length / xs.length;

function ci(xs: readonly boolean[], seed: number, resamples?: number): MetricCi {
  if (xs.length === 0) return { value: 0, lo: 0, hi: 0, n: 0 };
  const r = bootstrapCi((s: readonly boolean[]) => frac(s), xs, { seed, ...(resamples ? { resamples } : {}) });
  return { value: r.value, lo: r.lo, hi: r.hi, n: xs.length };
}

/** The normal run's records for the probe run's items, in the probe run's order (every probed id must be there). */
function pairById(normal: readonly EvalRecord[], probed: readonly EvalRecord[], what: string): EvalRecord[] {
  const byId = new Map(normal.map((r) => [r.id, r]));
  return probed.map((r) => {
    const n = byId.get(r.id);
    if (!n) throw new LvrError('INVALID_ARGUMENT', `${what}: item ${r.id} of the ${r.probe} run is not in the normal run`);
    return n;
  });
}

function probeOf(probed: readonly EvalRecord[], what: string): ProbeKind {
  const p = probed[0]?.probe;
  if (p === undefined) throw new LvrError('INVALID_ARGUMENT', `${what}: the probe run has no records`);
  if (probed.some((r) => r.probe !== p)) throw new LvrError('INVALID_ARGUMENT', `${what}: the probe run mixes probes (${p}, …)`);
  return p;
}

/**
 * The summary row of one probe run against the same model's normal run (items paired by id; the probe may have
 * run on a subset). Filter both record lists first for a per-task / per-k row.
 *
 * @example
 * const normal = await evaluateItems(model, items, { hopDecode: true });
 * const zeros = await evaluateItems(model, items, { probe: 'zeros' });
 * const row = probeSummaryRow(normal.records, zeros.records, { seed: 0 });
 * row.drop; // { value: 0.41, lo: 0.38, hi: 0.44, n: 2000 }
 */
export function probeSummaryRow(normal: readonly EvalRecord[], probed: readonly EvalRecord[], o: { seed?: number; resamples?: number } = {}): ProbeSummaryRow {
  const probe = probeOf(probed, 'probeSummaryRow');
  const base = pairById(normal, probed, 'probeSummaryRow');
  const seed = o.seed ?? 0;
  const a = base.map((r) => r.correct);
  const b = probed.map((r) => r.correct);
  const follows = probed.every((r) => r.followed !== undefined) ? probed.map((r) => r.followed as boolean) : undefined;
  return {
    probe, items: probed.length, normal: ci(a, seed, o.resamples), accuracy: ci(b, seed, o.resamples),
    drop: pairedDifferenceCi(a, b, { seed, ...(o.resamples ? { resamples: o.resamples } : {}) }),
    ...(follows ? { followRate: ci(follows, seed, o.resamples) } : {}),
  };
}

/**
 * Per-hop decodability of a normal run (records evaluated with `hopDecode`), one row per (category, hops), sorted.
 * Hop t's fraction is over the items that have a hop t.
 *
 * @example
 * hopDecodabilityTable(normal.records); // [{ category: 'chase', hops: 3, n: 2000, dot: [0.98, 0.95, 0.9], l2: [...] }]
 */
export function hopDecodabilityTable(records: readonly EvalRecord[]): HopDecodabilityRow[] {
  const groups = new Map<string, EvalRecord[]>();
  for (const r of records) {
    if (!r.hopHitDot || !r.hopHitL2) continue;
    const key = `${r.category}\u0000${r.hops ?? ''}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  const rows: HopDecodabilityRow[] = [];
  for (const g of groups.values()) {
    const k = Math.max(...g.map((r) => r.hopHitDot!.length));
    const per = (field: 'hopHitDot' | 'hopHitL2'): number[] => Array.from({ length: k }, (_, t) => {
      const xs = g.filter((r) => r[field]!.length > t).map((r) => r[field]![t] as boolean);
      return xs.length ? frac(xs) : 0;
    });
    rows.push({ category: g[0]!.category, hops: g[0]!.hops, n: g.length, dot: per('hopHitDot'), l2: per('hopHitL2') });
  }
  return rows.sort((x, y) => x.category.localeCompare(y.category) || (x.hops ?? 0) - (y.hops ?? 0));
}

/**
 * Per seed, one 1/0 score per item, aligned by item id to the ids of `ids` (default: the first run's order), for
 * {@link hierarchicalBootstrap}. `field` picks `correct` (default) or `followed`. Every run must hold every id.
 *
 * @example
 * const lvr = alignScores([seed0.records, seed1.records, seed2.records]);
 * const sft = alignScores([s0.records, s1.records, s2.records], { ids: seed0.records.map((r) => r.id) });
 * hierarchicalBootstrap(lvr, sft, { seed: 0 });
 */
export function alignScores(runs: readonly (readonly EvalRecord[])[], o: { ids?: readonly string[]; field?: 'correct' | 'followed' } = {}): Uint8Array[] {
  const ids = o.ids ?? runs[0]?.map((r) => r.id) ?? [];
  const field = o.field ?? 'correct';
  return runs.map((run, s) => {
    const byId = new Map(run.map((r) => [r.id, r]));
    return Uint8Array.from(ids, (id) => {
      const r = byId.get(id);
      if (!r) throw new LvrError('INVALID_ARGUMENT', `alignScores: run ${s} has no item ${id}`);
      return r[field] ? 1 : 0;
    });
  });
}

/** A probe over several seeds (one model per seed): hierarchical CIs, seeds paired between normal and probe. */
export interface ProbeSeedsSummary {
  readonly probe: ProbeKind;
  readonly seeds: number;
  readonly items: number;
  readonly normal: HierarchicalMean;
  readonly accuracy: HierarchicalMean;
  /** `normal − probe` (seeds paired: each seed's probe run against its own normal run). */
  readonly drop: HierarchicalDifference;
  readonly followRate?: HierarchicalMean | undefined;
  /** Per hop t, the mean over seeds of the normal runs' dot-product decodability (items with `hops` only). */
  readonly hopDot?: number[] | undefined;
}

/**
 * {@link probeSummaryRow} over seeds: `runs[s]` = the normal and probe records of seed s's model (the probe's items
 * must be in the normal run; items are those of seed 0's probe run).
 *
 * @example
 * probeSummaryAcrossSeeds(seeds.map((s) => ({ normal: s.main.records, probed: s.zeros.records })), { seed: 0 }).drop;
 * // { value: 0.4, lo: 0.33, hi: 0.47, p: 0.0005, … }
 */
export function probeSummaryAcrossSeeds(runs: readonly { normal: readonly EvalRecord[]; probed: readonly EvalRecord[] }[], o: { seed?: number; resamples?: number } = {}): ProbeSeedsSummary {
  if (runs.length === 0) throw new LvrError('INVALID_ARGUMENT', 'probeSummaryAcrossSeeds: no seeds');
  const probe = probeOf(runs[0]!.probed, 'probeSummaryAcrossSeeds');
  const ids = runs[0]!.probed.map((r) => r.id);
  const opts = { seed: o.seed ?? 0, ...(o.resamples ? { resamples: o.resamples } : {}) };
  const normal = alignScores(runs.map((r) => r.normal), { ids });
  const probed = alignScores(runs.map((r) => r.probed), { ids });
  const follows = runs.every((r) => r.probed.every((x) => x.followed !== undefined));
  const hop = runs.map((r) => hopDecodabilityTable(r.normal));
  const k = Math.max(0, ...hop.flatMap((rows) => rows.map((x) => x.dot.length)));
  const hopDot = k > 0 && hop.every((rows) => rows.length > 0)
    ? Array.from({ length: k }, (_, t) => hop.reduce((s, rows) => {
      const with_ = rows.filter((x) => x.dot.length > t);
      const n = with_.reduce((m, x) => m + x.n, 0);
      return s + (n ? with_.reduce((m, x) => m + (x.dot[t] as number) * x.n, 0) / n : 0);
    }, 0) / hop.length)
    : undefined;
  return {
    probe, seeds: runs.length, items: ids.length,
    normal: hierarchicalMean(normal, opts), accuracy: hierarchicalMean(probed, opts),
    drop: hierarchicalBootstrap(normal, probed, { ...opts, pairSeeds: true }),
    ...(follows ? { followRate: hierarchicalMean(alignScores(runs.map((r) => r.probed), { ids, field: 'followed' }), opts) } : {}),
    ...(hopDot ? { hopDot } : {}),
  };
}

import { hierarchicalBootstrap, hierarchicalMean, holmCorrection } from '@lvr/eval';
import type { StudyArm } from './chase-arms.js';

/** One evaluation of one job: per-item correctness in item order (+ probe extras). */
export interface StudyEval {
  accuracy: number;
  n: number;
  /** 1 / 0 per item, in the test set's order. */
  correct: number[];
  /** Counterfactual probe: 1 when the answer is the counterfactual chain's answer. */
  followed?: number[] | undefined;
  /** Per hop t: fraction of items whose fed latent t is L2-nearest to the hop-t cell's token. */
  perHop?: number[] | undefined;
  meanLatentSteps?: number | undefined;
}

/** `result.json` of one (arm, seed) job. Eval keys: `<task label>` (main) and `<task label>/<probe>`. */
export interface StudyJobResult {
  arm: string;
  seed: number;
  view: string;
  backend: string;
  trainMs: number;
  evalMs: number;
  evals: Record<string, StudyEval>;
}

/** The probes of the Token Replacement Test, in report order. */
export const TRT_PROBES = ['zeros', 'noise', 'shuffle', 'first-repeat', 'markers-only', 'oracle', 'counterfactual'] as const;

export interface CellStat { acc: number; lo: number; hi: number; seeds: number; items: number }
export interface DiffStat { diff: number; lo: number; hi: number; p: number; pHolm?: number | undefined }

/** Everything the report and `chase.json` show, computed once. */
export interface StudyTable {
  labels: string[];
  arms: { name: string; label: string; cells: Record<string, CellStat | undefined>; seeds: number[]; trainS: number; evalS: number }[];
  /** Per arm → task label → probe → { acc, drop vs normal (paired over seeds), follow rate, per-hop }. */
  probes: Record<string, Record<string, Record<string, { acc: CellStat; drop: DiffStat; follow?: number | undefined; perHop?: number[] | undefined }>>>;
  /** Every span arm vs SFT and vs Pause-K, per task label; Holm over the whole family. */
  comparisons: { arm: string; versus: string; label: string; stat: DiffStat }[];
  primary: { comparison: string; label: string; stats: { versus: string; stat: DiffStat | undefined }[] };
}

function byArm(results: readonly StudyJobResult[], arm: string): StudyJobResult[] {
  return results.filter((r) => r.arm === arm).sort((a, b) => a.seed - b.seed);
}

function scores(jobs: readonly StudyJobResult[], key: string): number[][] | undefined {
  const rows = jobs.map((j) => j.evals[key]?.correct).filter((x): x is number[] => x !== undefined);
  if (rows.length === 0) return undefined;
  const n = rows[0]!.length;
  return rows.every((r) => r.length === n) ? rows : undefined;
}

const pct = (x: number): number => Math.round(x * 1000) / 10;

function cell(s: number[][] | undefined, seed: string): CellStat | undefined {
  if (!s) return undefined;
  const m = hierarchicalMean(s, { seed });
  return { acc: pct(m.value), lo: pct(m.lo), hi: pct(m.hi), seeds: m.seeds, items: m.items };
}

function diff(a: number[][] | undefined, b: number[][] | undefined, seed: string, pairSeeds = false): DiffStat | undefined {
  if (!a || !b || a[0]!.length !== b[0]!.length) return undefined;
  if (pairSeeds && a.length !== b.length) return undefined;
  const d = hierarchicalBootstrap(a, b, { seed, pairSeeds });
  return { diff: pct(d.value), lo: pct(d.lo), hi: pct(d.hi), p: d.p };
}

/**
 * Aggregates the finished jobs: accuracy per arm and task label with hierarchical (seeds × items) 95 % CIs; the
 * TRT probes (drop vs the same model's normal run, seeds paired); every span arm vs SFT and vs Pause-K with Holm
 * over the family; and the pre-stated primary endpoint (`primaryArm` vs SFT and vs Pause-K at `primaryLabel`).
 *
 * @example
 * const t = aggregateStudy(results, selectStudyArms(DEFAULT_STUDY_ARMS), ['chase-k1', 'chase-k3'], { primaryArm: 'ptr-argmax', primaryLabel: 'chase-k3' });
 */
export function aggregateStudy(
  results: readonly StudyJobResult[], arms: readonly StudyArm[], labels: readonly string[], o: { primaryArm: string; primaryLabel: string },
): StudyTable {
  const table: StudyTable = { labels: [...labels], arms: [], probes: {}, comparisons: [], primary: { comparison: '', label: o.primaryLabel, stats: [] } };
  for (const a of arms) {
    const jobs = byArm(results, a.name);
    if (jobs.length === 0) continue;
    const cells: Record<string, CellStat | undefined> = {};
    for (const l of labels) cells[l] = cell(scores(jobs, l), `${a.name}/${l}`);
    table.arms.push({
      name: a.name, label: a.label, cells, seeds: jobs.map((j) => j.seed),
      trainS: jobs.reduce((s, j) => s + j.trainMs, 0) / jobs.length / 1000, evalS: jobs.reduce((s, j) => s + j.evalMs, 0) / jobs.length / 1000,
    });
    const probes: Record<string, Record<string, { acc: CellStat; drop: DiffStat; follow?: number; perHop?: number[] }>> = {};
    for (const l of labels) {
      for (const p of [...TRT_PROBES, 'bottleneck']) {
        const key = `${l}/${p}`;
        const s = scores(jobs, key);
        if (!s) continue;
        // The probe ran on the first n items of the test set: compare with the normal run on the same items.
        const normal = scores(jobs, l)?.map((row) => row.slice(0, s[0]!.length));
        const acc = cell(s, `${a.name}/${key}`);
        const drop = diff(normal, s, `${a.name}/${key}/drop`, true);
        if (!acc || !drop) continue;
        const follows = jobs.map((j) => j.evals[key]?.followed).filter((x): x is number[] => x !== undefined);
        const follow = follows.length ? pct(follows.flat().reduce((x, y) => x + y, 0) / Math.max(1, follows.flat().length)) / 100 : undefined;
        (probes[l] ??= {})[p] = { acc, drop, ...(follow !== undefined ? { follow } : {}) };
      }
      const hops = jobs.map((j) => j.evals[l]?.perHop).filter((x): x is number[] => x !== undefined && x.length > 0);
      if (hops.length) {
        const per = hops[0]!.map((_, t) => pct(hops.reduce((s, h) => s + (h[t] ?? 0), 0) / hops.length));
        (probes[l] ??= {})['per-hop'] = { acc: { acc: NaN, lo: NaN, hi: NaN, seeds: hops.length, items: 0 }, drop: { diff: NaN, lo: NaN, hi: NaN, p: 1 }, perHop: per };
      }
    }
    table.probes[a.name] = probes;
  }
  for (const a of arms.filter((x) => x.span)) {
    for (const versus of ['sft', 'pause']) {
      if (a.name === versus) continue;
      for (const l of labels) {
        const stat = diff(scores(byArm(results, a.name), l), scores(byArm(results, versus), l), `${a.name}-${versus}/${l}`);
        if (stat) table.comparisons.push({ arm: a.name, versus, label: l, stat });
      }
    }
  }
  if (table.comparisons.length > 0) {
    const h = holmCorrection(table.comparisons.map((c) => c.stat.p));
    table.comparisons.forEach((c, i) => { c.stat.pHolm = h.adjusted[i]; });
  }
  // The pre-stated primary endpoint: its own Holm correction over its (up to) two comparisons.
  const primary = ['sft', 'pause'].map((versus) => {
    const found = table.comparisons.find((c) => c.arm === o.primaryArm && c.versus === versus && c.label === o.primaryLabel)?.stat;
    return { versus, stat: found ? { ...found } : undefined };
  });
  const present = primary.filter((x) => x.stat);
  if (present.length > 0) {
    const h = holmCorrection(present.map((x) => x.stat!.p));
    present.forEach((x, i) => { x.stat!.pHolm = h.adjusted[i]; });
  }
  table.primary = { comparison: `${o.primaryArm} − SFT and ${o.primaryArm} − Pause-K at ${o.primaryLabel}`, label: o.primaryLabel, stats: primary };
  return table;
}

/**
 * `chase.json`: `{"k":[…],"arms":{"<arm>":{"acc":[…],"ci":[[lo,hi],…]}},"primary":{…},"probes":{…}}` (percent).
 * Labels that are not chase-k (e.g. majority) go under `"tasks"`.
 */
export function chaseJson(t: StudyTable, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const chaseLabels = t.labels.filter((l) => /-k\d+$/.test(l));
  const ks = chaseLabels.map((l) => Number(/-k(\d+)$/.exec(l)![1]));
  const arms: Record<string, { acc: (number | null)[]; ci: ([number, number] | null)[]; seeds: number[] }> = {};
  for (const a of t.arms) {
    arms[a.name] = {
      acc: chaseLabels.map((l) => a.cells[l]?.acc ?? null),
      ci: chaseLabels.map((l) => (a.cells[l] ? [a.cells[l]!.lo, a.cells[l]!.hi] : null)),
      seeds: a.seeds,
    };
  }
  const other = t.labels.filter((l) => !chaseLabels.includes(l));
  const tasks = Object.fromEntries(other.map((l) => [l, Object.fromEntries(t.arms.map((a) => [a.name, a.cells[l] ?? null]))]));
  return {
    k: ks, labels: chaseLabels, arms,
    primary: { comparison: t.primary.comparison, label: t.primary.label, ...Object.fromEntries(t.primary.stats.map((s) => [s.versus, s.stat ? { diff: s.stat.diff, ci: [s.stat.lo, s.stat.hi], p: s.stat.p, pHolm: s.stat.pHolm } : null])) },
    probes: t.probes, comparisons: t.comparisons, ...(other.length ? { tasks } : {}), ...extra,
  };
}

import { LvrError } from '@lvr/core';
import { barChartSvg, bootstrapCi, lineChartSvg, type LineSeries } from '@lvr/eval';
import type { AblationVariant } from './ablate-variants.js';

/** One evaluation of one trained model (a strategy or a probe), with per-item correctness in suite order. */
export interface EvalSummary {
  accuracy: number;
  n: number;
  meanLatentSteps: number;
  /** Mean over items (with latents) of the per-item `roi_hit` (normal runs of LVR models). */
  roiHitL2?: number | undefined;
  roiHitCos?: number | undefined;
  correct: boolean[];
}

/** What one ablation job (one variant × one seed) writes to `result.json`. */
export interface JobResult {
  variant: string;
  seed: number;
  backend: string;
  trainMs: number;
  evalMs: number;
  /** Keyed by evaluation name: `main`, a probe (`zeros`, `noise`, `gt-roi`, `distractor`, `bottleneck`) or a strategy (`fixed:1`, `converge`, …). */
  evals: Record<string, EvalSummary>;
}

/** Accuracy over seeds: mean, sample SD and range of the per-seed accuracies, and a 95 % bootstrap CI of the mean. */
export interface SeedStats {
  mean: number;
  sd: number;
  min: number;
  max: number;
  /** 95 % bootstrap CI over items of the seed-averaged per-item correctness. */
  lo: number;
  hi: number;
  perSeed: number[];
}

/** One row of the ablation table. */
export interface AblationRow {
  name: string;
  label: string;
  mode: AblationVariant['mode'];
  description: string;
  reference: boolean;
  seeds: number[];
  accuracy: SeedStats;
  /** Seed-mean accuracy per task of the main evaluation (when the item tasks are known). */
  perTask: Record<string, number>;
  /** Seed-mean accuracy under each probe that was run. */
  probes: Record<string, number>;
  roiHitL2?: number | undefined;
  roiHitCos?: number | undefined;
  /** Accuracy and mean latent steps per decoding strategy (adaptive rows). */
  strategies: Record<string, { accuracy: number; meanLatentSteps: number }>;
  /** Mean wall time per seed. */
  trainS: number;
  evalS: number;
  /** Against data-matched SFT: seed-mean difference, its paired 95 % bootstrap CI, and the verdict (see {@link beatsSft}). */
  vsSft?: { diff: number; lo: number; hi: number; beats: boolean } | undefined;
}

/** The ablation's result: rows in variant order. */
export interface AblationTable {
  rows: AblationRow[];
  items: number;
  seeds: number[];
  /** Per task, the chance accuracy (mean of 1 / options over its items), when the item tasks are known. */
  chance: Record<string, number>;
}

/** What the table needs to know about each test item, in suite order. */
export interface ItemInfo {
  task: string;
  options: number;
}

export const PROBE_COLUMNS = ['zeros', 'noise', 'gt-roi', 'distractor', 'bottleneck'] as const;
export const STRATEGY_EVALS = ['fixed:1', 'fixed:4', 'fixed:8', 'converge', 'end-prob', 'exit-prob'] as const;

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);

function sd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Per item, the fraction of seeds that answered it correctly (all seeds see the same items in the same order). */
function perItemMean(evals: readonly EvalSummary[], where: string): number[] {
  const n = evals[0]?.correct.length ?? 0;
  for (const e of evals) if (e.correct.length !== n) throw new LvrError('SHAPE_MISMATCH', `${where}: seeds were evaluated on ${e.correct.length} vs ${n} items`);
  return Array.from({ length: n }, (_, i) => mean(evals.map((e) => (e.correct[i] ? 1 : 0))));
}

/**
 * Mean ± spread over seeds with a 95 % CI of the seed mean (bootstrap over items of the seed-averaged
 * correctness, 2000 resamples).
 *
 * @example
 * seedStats([{ accuracy: 0.5, correct: [true, false], n: 2, meanLatentSteps: 0 }], 'sft').mean; // 0.5
 */
export function seedStats(evals: readonly EvalSummary[], where: string, seed = 0): SeedStats {
  if (evals.length === 0) throw new LvrError('INVALID_ARGUMENT', `${where}: no seeds`);
  const perSeed = evals.map((e) => e.accuracy);
  const ci = bootstrapCi(mean, perItemMean(evals, where), { seed });
  return { mean: mean(perSeed), sd: sd(perSeed), min: Math.min(...perSeed), max: Math.max(...perSeed), lo: ci.lo, hi: ci.hi, perSeed };
}

/**
 * The acceptance rule: a variant beats SFT when its seed-mean accuracy exceeds SFT's by more than the larger
 * half-width of the two 95 % CIs AND by more than the larger of the two seed ranges (max − min).
 */
export function beatsSft(v: SeedStats, sft: SeedStats): boolean {
  const diff = v.mean - sft.mean;
  const ci = Math.max((v.hi - v.lo) / 2, (sft.hi - sft.lo) / 2);
  const spread = Math.max(v.max - v.min, sft.max - sft.min);
  return diff > ci && diff > spread;
}

/**
 * Aggregates job results into the ablation table (variants without results are skipped).
 *
 * @example
 * const table = aggregateAblation(results, selectVariants(['lvr-ref']));
 */
export function aggregateAblation(results: readonly JobResult[], variants: readonly AblationVariant[], o: { seed?: number; items?: readonly ItemInfo[] } = {}): AblationTable {
  const rows: AblationRow[] = [];
  const n = results[0]?.evals.main?.n ?? 0;
  const items = o.items?.slice(0, n);
  if (items && items.length !== n) throw new LvrError('SHAPE_MISMATCH', `aggregateAblation: ${items.length} item descriptions for ${n} evaluated items`);
  const tasks = items ? [...new Set(items.map((i) => i.task))].sort() : [];
  const chance: Record<string, number> = {};
  for (const t of tasks) {
    const its = (items as ItemInfo[]).filter((i) => i.task === t);
    chance[t] = mean(its.map((i) => 1 / i.options));
  }
  for (const v of variants) {
    const jobs = results.filter((r) => r.variant === v.name).sort((a, b) => a.seed - b.seed);
    if (jobs.length === 0) continue;
    const main = jobs.map((j) => {
      const e = j.evals.main;
      if (!e) throw new LvrError('INVALID_ARGUMENT', `${v.name} seed ${j.seed}: no main evaluation`);
      return e;
    });
    const perTask: Record<string, number> = {};
    for (const t of tasks) {
      const idx = (items as ItemInfo[]).flatMap((it, i) => (it.task === t ? [i] : []));
      perTask[t] = mean(main.map((e) => mean(idx.map((i) => (e.correct[i] ? 1 : 0)))));
    }
    const probes: Record<string, number> = {};
    for (const p of PROBE_COLUMNS) {
      const es = jobs.map((j) => j.evals[p]).filter((e): e is EvalSummary => e !== undefined);
      if (es.length === jobs.length) probes[p] = mean(es.map((e) => e.accuracy));
    }
    const strategies: AblationRow['strategies'] = {};
    for (const s of STRATEGY_EVALS) {
      const es = jobs.map((j) => j.evals[s]).filter((e): e is EvalSummary => e !== undefined);
      if (es.length === jobs.length) strategies[s] = { accuracy: mean(es.map((e) => e.accuracy)), meanLatentSteps: mean(es.map((e) => e.meanLatentSteps)) };
    }
    const hits = (k: 'roiHitL2' | 'roiHitCos'): number | undefined => {
      const xs = main.map((e) => e[k]).filter((x): x is number => x !== undefined);
      return xs.length === main.length ? mean(xs) : undefined;
    };
    rows.push({
      name: v.name, label: v.label, mode: v.mode, description: v.description, reference: v.reference === true,
      seeds: jobs.map((j) => j.seed), accuracy: seedStats(main, v.name, o.seed ?? 0), perTask, probes, strategies,
      roiHitL2: hits('roiHitL2'), roiHitCos: hits('roiHitCos'),
      trainS: mean(jobs.map((j) => j.trainMs)) / 1000, evalS: mean(jobs.map((j) => j.evalMs)) / 1000,
    });
  }
  const sft = rows.find((r) => r.name === 'sft');
  if (sft) {
    const sftItems = perItemMean(results.filter((r) => r.variant === 'sft').map((r) => r.evals.main as EvalSummary), 'sft');
    for (const r of rows) {
      if (r === sft) continue;
      const items = perItemMean(results.filter((x) => x.variant === r.name).map((x) => x.evals.main as EvalSummary), r.name);
      if (items.length !== sftItems.length) throw new LvrError('SHAPE_MISMATCH', `${r.name} and sft were evaluated on different item counts`);
      const ci = bootstrapCi(mean, items.map((x, i) => x - (sftItems[i] as number)), { seed: o.seed ?? 0 });
      r.vsSft = { diff: r.accuracy.mean - sft.accuracy.mean, lo: ci.lo, hi: ci.hi, beats: beatsSft(r.accuracy, sft.accuracy) };
    }
  }
  return { rows, items: n, seeds: [...new Set(results.map((r) => r.seed))].sort((a, b) => a - b), chance };
}

const pct = (x: number | undefined): string => (x === undefined ? '–' : (100 * x).toFixed(1));
const pp = (x: number): string => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;

/** The best non-reference LVR row by seed-mean accuracy, if any. */
export function bestLvr(t: AblationTable): AblationRow | undefined {
  return t.rows.filter((r) => r.mode === 'lvr' && !r.reference).sort((a, b) => b.accuracy.mean - a.accuracy.mean)[0];
}

/**
 * The report: accuracy table, probe table, strategy table and a verdict paragraph (Markdown).
 *
 * @example
 * await writeFile('results.md', ablationMarkdown(table, { command: 'lvr ablate --out runs/ablation' }));
 */
export function ablationMarkdown(t: AblationTable, o: { command: string; title?: string; notes?: readonly string[] }): string {
  const L: string[] = [`# ${o.title ?? 'Ablation: LVR training variants vs SFT and LIVR'}`, '', `Produced by \`${o.command}\`.`, ''];
  L.push(`${t.items} test items, seeds ${t.seeds.join(', ')}. Accuracy in %: mean ± SD over seeds, 95 % CI of the seed mean (bootstrap over items), seed range; Δ vs SFT with its paired 95 % CI. "Beats SFT" = Δ larger than both CI half-widths and both seed ranges.`, '');
  L.push('| variant | accuracy (mean ± SD) | 95 % CI | seed range | per seed | Δ vs SFT [95 % CI] | beats SFT | train s | eval s |', '|---|---|---|---|---|---|---|---|---|');
  for (const r of t.rows) {
    const a = r.accuracy;
    const d = r.vsSft ? `${pp(r.vsSft.diff)} [${pp(r.vsSft.lo)}, ${pp(r.vsSft.hi)}]` : '–';
    L.push(`| ${r.label}${r.reference ? ' (reference)' : ''} | ${pct(a.mean)} ± ${pct(a.sd)} | [${pct(a.lo)}, ${pct(a.hi)}] | ${pct(a.min)}–${pct(a.max)} | ${a.perSeed.map(pct).join(' / ')} | ${d} | ${r.vsSft ? (r.vsSft.beats ? '**yes**' : 'no') : '–'} | ${r.trainS.toFixed(0)} | ${r.evalS.toFixed(0)} |`);
  }
  const tasks = Object.keys(t.chance);
  if (tasks.length > 0) {
    L.push('', '## Accuracy per task (seed means, %)', '');
    L.push(`| variant | ${tasks.join(' | ')} | overall |`, `|---|${tasks.map(() => '---|').join('')}---|`);
    L.push(`| *chance* | ${tasks.map((k) => pct(t.chance[k])).join(' | ')} | ${pct(mean(tasks.map((k) => t.chance[k] as number)))} |`);
    for (const r of t.rows) L.push(`| ${r.label} | ${tasks.map((k) => pct(r.perTask[k])).join(' | ')} | ${pct(r.accuracy.mean)} |`);
  }
  const probed = t.rows.filter((r) => Object.keys(r.probes).length > 0 || r.roiHitL2 !== undefined);
  if (probed.length > 0) {
    L.push('', '## Latent-reliance probes (seed means, %)', '');
    L.push('Own = normal decoding. zeros / noise (same norm) / gt-roi (ground-truth ROI tokens, cycled) / distractor (the most object-like non-ROI tokens) replace the fed latents; bottleneck = LIVR\'s stage-1 mask at test. roi_hit = generated latents whose nearest visual token lies in the ROI (L2; centred cosine).', '');
    L.push(`| variant | own | ${PROBE_COLUMNS.join(' | ')} | roi_hit L2 | roi_hit cos |`, `|---|---|${PROBE_COLUMNS.map(() => '---|').join('')}---|---|`);
    for (const r of probed) L.push(`| ${r.label} | ${pct(r.accuracy.mean)} | ${PROBE_COLUMNS.map((p) => pct(r.probes[p])).join(' | ')} | ${pct(r.roiHitL2)} | ${pct(r.roiHitCos)} |`);
  }
  const adaptive = t.rows.filter((r) => Object.keys(r.strategies).length > 0);
  if (adaptive.length > 0) {
    L.push('', '## Accuracy vs latent steps (seed means)', '');
    L.push(`| variant | ${STRATEGY_EVALS.join(' | ')} |`, `|---|${STRATEGY_EVALS.map(() => '---|').join('')}`);
    for (const r of adaptive) L.push(`| ${r.label} | ${STRATEGY_EVALS.map((s) => (r.strategies[s] ? `${pct(r.strategies[s].accuracy)} @ ${r.strategies[s].meanLatentSteps.toFixed(2)}` : '–')).join(' | ')} |`);
    L.push('', 'Cells: accuracy % @ mean latent steps per item. `converge` = stop when successive latents have cosine ≥ 0.99 (max 16); `end-prob` = stop when P(<|lvr_end|>) > 0.5 (max 16); `exit-prob` = stop when P(<|lvr_latent_end|>) + P(<|lvr_end|>) > 0.5 after ≥ 1 latent (max 16).');
  }
  L.push('', '## Verdict', '');
  const winners = t.rows.filter((r) => r.vsSft?.beats);
  L.push(winners.length > 0
    ? `Beat data-matched SFT by more than both the CI and the seed spread: ${winners.map((r) => `${r.label} (${pp(r.vsSft!.diff)} points)`).join(', ')}.`
    : 'No variant beat data-matched SFT by more than both the CI and the seed spread.');
  const ref = t.rows.find((r) => r.reference);
  const best = bestLvr(t);
  if (ref && best) {
    const d = best.accuracy.mean - ref.accuracy.mean;
    const clear = d > Math.max((best.accuracy.hi - best.accuracy.lo) / 2, (ref.accuracy.hi - ref.accuracy.lo) / 2) && d > Math.max(best.accuracy.max - best.accuracy.min, ref.accuracy.max - ref.accuracy.min);
    L.push(`Best LVR variant: ${best.label} at ${pct(best.accuracy.mean)} % vs the reference recipe's ${pct(ref.accuracy.mean)} % (${pp(d)} points; ${clear ? 'beyond' : 'not beyond'} the CIs and seed ranges).`);
  }
  for (const n of o.notes ?? []) L.push('', n);
  L.push('', '## Variants', '');
  for (const r of t.rows) L.push(`- **${r.label}** (\`${r.name}\`): ${r.description}.`);
  return `${L.join('\n')}\n`;
}

/** Bar chart: seed-mean accuracy per variant with its 95 % CI, and each seed's accuracy beside it. */
export function ablationAccuracySvg(t: AblationTable): string {
  const groups = t.rows.map((r) => r.name);
  return barChartSvg({
    title: 'Accuracy per variant (seed mean with 95 % CI; individual seeds)', yLabel: 'accuracy', groups, yRange: [0, 1],
    width: Math.max(760, 120 * groups.length), height: 440,
    series: [
      { name: 'seed mean', values: t.rows.map((r) => r.accuracy.mean), lo: t.rows.map((r) => r.accuracy.lo), hi: t.rows.map((r) => r.accuracy.hi) },
      ...t.seeds.map((s) => ({ name: `seed ${s}`, values: t.rows.map((r) => { const i = r.seeds.indexOf(s); return i >= 0 ? (r.accuracy.perSeed[i] as number) : null; }) })),
    ],
  });
}

const LINE_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/**
 * Line chart: accuracy vs mean latent steps — per variant, fixed 1/4/8 as a solid line and the adaptive strategies
 * (converge, end-prob, exit-prob) as a dashed line in the same colour; SFT (no latents) as a grey reference line.
 */
export function ablationStepsSvg(t: AblationTable): string {
  const series: LineSeries[] = [];
  const rows = t.rows.filter((r) => Object.keys(r.strategies).length > 0);
  const maxX = Math.max(8, ...rows.flatMap((r) => Object.values(r.strategies).map((s) => s.meanLatentSteps)));
  rows.forEach((r, i) => {
    const color = LINE_COLORS[i % LINE_COLORS.length] as string;
    const pts = (names: readonly string[]): [number, number][] => names.map((s) => r.strategies[s]).filter((x) => x !== undefined).map((x) => [x.meanLatentSteps, x.accuracy] as [number, number]).sort((a, b) => a[0] - b[0]);
    series.push({ name: `${r.name} fixed 1/4/8`, points: pts(['fixed:1', 'fixed:4', 'fixed:8']), color });
    series.push({ name: `${r.name} adaptive`, points: pts(['converge', 'end-prob', 'exit-prob']), dashed: true, color });
  });
  const sft = t.rows.find((r) => r.name === 'sft');
  if (sft) series.push({ name: 'sft (no latents)', points: [[0, sft.accuracy.mean], [maxX, sft.accuracy.mean]], color: '#7f7f7f', dashed: true });
  return lineChartSvg({ title: 'Accuracy vs mean latent steps', xLabel: 'mean latent steps per item', yLabel: 'accuracy', series, width: 760, height: 440 });
}

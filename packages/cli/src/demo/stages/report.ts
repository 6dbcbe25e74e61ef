import { copyFile, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { pathExists, writeFileAtomic, writeJsonAtomic } from '@lvr/core';
import {
  accuracyChartSvg, curvesChartSvg, probeChartSvg, renderMarkdown, svgToPng,
  type CurveSeries, type MetricCi, type ProbeRow, type ReportData, type ReportRow, type VisualProbeReport,
} from '@lvr/eval';
import { readMetrics } from '@lvr/model';
import { STUDY_ARMS } from '../../study/chase-arms.js';
import { STUDY_CHANCE } from '../../study/chase-study.js';
import { chaseFindings, probeMarkdown, type ChaseResults } from '../chase-findings.js';
import { demoConfig } from '../config.js';
import { DEMO_PRIMARY_ARM } from './chase.js';
import type { DemoContext, DemoStage, StageOutput } from '../pipeline.js';

const pp = (m: MetricCi): string => `${(100 * m.value).toFixed(1)} % [${(100 * m.lo).toFixed(1)}, ${(100 * m.hi).toFixed(1)}]`;

/** Plain statements computed from the numbers (never hand-written claims). */
export function findings(rows: readonly ReportRow[], probes: readonly ProbeRow[], chance: number | undefined): string[] {
  const out: string[] = [];
  const sft = rows.find((r) => r.model === 'sft');
  const beats = (a: ReportRow, b: ReportRow): 'better' | 'worse' | 'tied' => (a.overall.lo > b.overall.hi ? 'better' : a.overall.hi < b.overall.lo ? 'worse' : 'tied');
  if (chance !== undefined) out.push(`Chance level (mean over tasks of 1 / number of options): ${(100 * chance).toFixed(1)} %.`);
  if (sft) {
    for (const r of rows.filter((x) => x.model === 'lvr' || x.model === 'livr' || x.model === 'lvr+rl')) {
      const v = beats(r, sft);
      const diff = 100 * (r.overall.value - sft.overall.value);
      out.push(`${r.label} vs data-matched SFT: ${diff >= 0 ? '+' : ''}${diff.toFixed(1)} points (${pp(r.overall)} vs ${pp(sft.overall)}) — ${v === 'tied' ? 'the CIs overlap: no significant difference' : v === 'better' ? 'significantly better (CIs do not overlap)' : 'significantly worse (CIs do not overlap)'}.`);
    }
  }
  for (const p of probes) {
    const sig = p.drop.lo > 0
      ? (p.probe === 'noise'
        ? 'accuracy falls (CI excludes 0) — out-of-distribution vectors disrupt the model; whether the latents carry image content is what the zeros / shuffle rows show'
        : 'the answers depend on the latents (drop CI excludes 0)')
      : p.drop.hi < 0 ? 'accuracy rises without the real latents (CI excludes 0)' : 'no significant change: the answers do not measurably depend on this';
    out.push(`${p.model} ${p.strategy === '-' ? '' : `${p.strategy} `}with ${p.probe} latents: drop ${(100 * p.drop.value).toFixed(1)} points [${(100 * p.drop.lo).toFixed(1)}, ${(100 * p.drop.hi).toFixed(1)}] — ${sig}.`);
  }
  return out;
}

/** Shifts every markdown heading one level down (`# x` → `## x`) outside code fences. */
function demote(md: string): string {
  let fenced = false;
  return md.split('\n').map((l) => {
    if (l.startsWith('```')) fenced = !fenced;
    return !fenced && /^#{1,5} /.test(l) ? `#${l}` : l;
  }).join('\n');
}

/**
 * The chase section of the report (from the study folder's `chase.json`, `results.md` and `accuracy-vs-k.png`,
 * which is copied next to `report.md`), or undefined when the run has no chase study.
 */
async function chaseSection(out: string, chaseDir: string | undefined): Promise<{ md: string[]; json: ChaseResults; findings: string[] } | undefined> {
  if (!chaseDir || !(await pathExists(join(chaseDir, 'chase.json')))) return undefined;
  const json = JSON.parse(await readFile(join(chaseDir, 'chase.json'), 'utf8')) as ChaseResults & { config?: { steps?: number; testItems?: number } };
  const armLabels = Object.fromEntries(STUDY_ARMS.map((a) => [a.name, a.label]));
  const findings = chaseFindings(json, { armLabels, primaryArm: DEMO_PRIMARY_ARM, chance: STUDY_CHANCE });
  const md = ['## Does latent reasoning pay off? chase-k from pixels', ''];
  md.push(`A 4×4 board of objects (one per visual token); colour = arrow direction, shape = answer; "from the marked object follow k arrows . what shape ?" (chance ${STUDY_CHANCE} %). Every arm is fine-tuned from the same base on the same fresh items for ${json.config?.steps ?? '?'} steps, one seed, and answers the same ${json.config?.testItems ?? '?'} test items per k (the full study: docs/results.md).`, '');
  if (await pathExists(join(chaseDir, 'accuracy-vs-k.png'))) {
    await copyFile(join(chaseDir, 'accuracy-vs-k.png'), join(out, 'accuracy-vs-k.png'));
    md.push('![Chase accuracy against the number of hops k, one line per arm](accuracy-vs-k.png)', '', '*Chase accuracy against the number of hops k, one line per arm (dashed: chance)*', '');
  }
  md.push('### Findings', '', ...findings.map((f) => `- ${f}`), '');
  if (await pathExists(join(chaseDir, 'results.md'))) {
    md.push(demote((await readFile(join(chaseDir, 'results.md'), 'utf8')).replace(/\n!\[accuracy vs k\]\([^)]*\)\n?/, '')).trim(), '');
  }
  return { md, json, findings };
}

/**
 * Demo stage: `report.md` + `report.json` + PNG charts, all under the run folder. The report opens with the chase
 * study (accuracy against k, findings, the study tables), then the base's visual-token probe table, then the
 * perception task (accuracy by method with CI bars, probe drops, training curves, latent heatmaps). The chase and
 * probe parts appear when the run has them (`chaseDir`, `probeJson`).
 */
export const reportStage: DemoStage = {
  name: 'report',
  description: 'write report.md, report.json and the charts',
  requires: ['evalSummary', 'sftDir', 'lvrDir', 'livrDir', 'suiteDir'],
  // optional: baseDir (its training curve), rlDir (the reward curve), chaseDir (the chase study), probeJson (the base's probe)
  provides: ['report'],
  async run(ctx: DemoContext): Promise<StageOutput> {
    const cfg = demoConfig(ctx.full);
    const summary = JSON.parse(await readFile(ctx.artifacts.evalSummary!, 'utf8')) as { backend: string; items: number; rows: ReportRow[]; probes: ProbeRow[]; figures: string[]; latentSimilarity?: number };
    const manifest = JSON.parse(await readFile(join(ctx.artifacts.suiteDir!, 'suite.json'), 'utf8')) as { chance?: Record<string, { options: number }> };
    const chances = Object.values(manifest.chance ?? {}).map((c) => c.options);
    const chance = chances.length ? chances.reduce((a, b) => a + b, 0) / chances.length : undefined;
    const curves: CurveSeries[] = [];
    for (const [name, dir] of [['base', ctx.artifacts.baseDir], ['sft', ctx.artifacts.sftDir], ['lvr', ctx.artifacts.lvrDir], ['livr', ctx.artifacts.livrDir], ['lvr+rl', ctx.artifacts.rlDir]] as const) {
      if (!dir) continue;
      const m = await readMetrics(join(dir, 'metrics.jsonl'));
      for (const metric of ['loss/ce', 'loss/lvr', 'reward/mean']) {
        const pts = m.filter((r) => typeof r[metric] === 'number' && Number.isFinite(r[metric] as number)).map((r) => [r.step as number, r[metric] as number] as [number, number]);
        if (pts.length > 0) curves.push({ name, metric, points: pts });
      }
    }
    const rl = curves.find((c) => c.name === 'lvr+rl' && c.metric === 'reward/mean');
    const rlFinding: string[] = [];
    if (rl && rl.points.length >= 4) {
      const k = Math.max(1, Math.floor(rl.points.length / 4));
      const mean = (xs: [number, number][]) => xs.reduce((a, p) => a + p[1], 0) / xs.length;
      rlFinding.push(`GRPO_latent mean reward (format + accuracy, max 2): ${mean(rl.points.slice(0, k)).toFixed(3)} over the first ${k} steps → ${mean(rl.points.slice(-k)).toFixed(3)} over the last ${k} (reward_curve.png).`);
    }
    const out = ctx.outDir;
    const fig = async (file: string, svg: string): Promise<string> => {
      await writeFileAtomic(join(out, file), await svgToPng(svg));
      return file;
    };
    const figures: ReportData['figures'] = [];
    figures.push({ name: 'accuracy', path: await fig('accuracy.png', accuracyChartSvg(summary.rows)), caption: 'Accuracy by task and method with 95 % CIs' });
    if (summary.probes.length) figures.push({ name: 'probes', path: await fig('probes.png', probeChartSvg(summary.probes)), caption: 'Accuracy drop when latents are replaced (paired 95 % CI)' });
    figures.push({ name: 'training-ce', path: await fig('training_ce.png', curvesChartSvg(curves, 'loss/ce', 'Training cross-entropy')), caption: 'Training cross-entropy of every run' });
    if (curves.some((c) => c.metric === 'loss/lvr')) figures.push({ name: 'training-lvr', path: await fig('training_lvr.png', curvesChartSvg(curves, 'loss/lvr', 'LVR latent regression loss')), caption: 'LVR latent regression (MSE) during SFT' });
    if (curves.some((c) => c.metric === 'reward/mean')) figures.push({ name: 'reward', path: await fig('reward_curve.png', curvesChartSvg(curves, 'reward/mean', 'GRPO_latent mean reward')), caption: 'Mean reward during GRPO_latent' });
    for (const f of summary.figures) figures.push({ name: basename(f, '.png'), path: relative(out, f), caption: `${basename(f, '.png').replace('heatmap-', '')}: the image with its ROI (left) and the cosine between the first fed LVR latent and each visual token (right)` });
    const data: ReportData = {
      title: 'Perception task (the papers\' setting): LVR / LIVR vs SFT on the synthetic suite',
      createdAt: new Date().toISOString(),
      benchmark: `synthetic suite (${summary.items} test items)`,
      settings: { ...cfg, seed: ctx.seed, backend: summary.backend, protocol: 'constrained word answers: format tokens forced, the option word chosen greedily among the options' },
      rows: summary.rows,
      probes: summary.probes,
      curves,
      findings: [
        ...findings(summary.rows, summary.probes, chance),
        ...rlFinding,
        ...(summary.latentSimilarity !== undefined
          ? [`LVR's first generated latent has a mean cosine of ${summary.latentSimilarity.toFixed(4)} between consecutive test items${summary.latentSimilarity > 0.99 ? ': the latents are nearly identical whatever the image, so they cannot carry the ROI (the teacher-forcing gap of the feasibility study)' : ''}.`]
          : []),
      ],
      figures,
    };
    const chase = await chaseSection(out, ctx.artifacts.chaseDir);
    const probe = ctx.artifacts.probeJson ? (JSON.parse(await readFile(ctx.artifacts.probeJson, 'utf8')) as VisualProbeReport & { model?: string }) : undefined;
    await writeJsonAtomic(join(out, 'report.json'), { ...data, ...(chase ? { chase: { ...chase.json, findings: chase.findings } } : {}), ...(probe ? { probe } : {}) });
    const md = join(out, 'report.md');
    const head = [`# The demo: latent reasoning on chase-k, the base's visual tokens, and a perception task`, '', `Generated ${data.createdAt}.`, ''];
    const probeMd = probe ? ['## The base: what its frozen visual tokens carry', '', ...probeMarkdown(probe), ''] : [];
    await writeFileAtomic(md, [...head, ...(chase?.md ?? []), ...probeMd, demote(renderMarkdown(data))].join('\n'));
    return { artifacts: { report: md }, summary: { rows: data.rows.length, figures: figures.length + (chase ? 1 : 0), ...(chase ? { chase: 'yes' } : {}) } };
  },
};

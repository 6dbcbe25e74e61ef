import type { MetricCi, ReportData } from './types.js';

const pct = (m: MetricCi | undefined): string => (m ? `${(100 * m.value).toFixed(1)} [${(100 * m.lo).toFixed(1)}, ${(100 * m.hi).toFixed(1)}]` : '–');
const signed = (m: MetricCi): string => `${m.value >= 0 ? '+' : ''}${(100 * m.value).toFixed(1)} [${(100 * m.lo).toFixed(1)}, ${(100 * m.hi).toFixed(1)}]`;

/**
 * `report.md`: the accuracy table (overall, per task, pair accuracy, each with a 95 % bootstrap CI), the probe
 * table (accuracy drop with a paired-bootstrap CI), findings, and the figures.
 */
export function renderMarkdown(r: ReportData): string {
  const tasks = [...new Set(r.rows.flatMap((x) => Object.keys(x.perTask)))].sort();
  const hasPair = r.rows.some((x) => x.pair);
  const lines: string[] = [`# ${r.title}`, '', `Benchmark: **${r.benchmark}** · generated ${r.createdAt}`, ''];
  lines.push('Accuracy in % with 95 % bootstrap confidence intervals (2000 resamples over items; pairs resampled for pair accuracy).', '');
  lines.push(`| method | backend | overall | ${tasks.join(' | ')}${hasPair ? ' | pair acc. (MMVP-style)' : ''} | latent steps | n |`);
  lines.push(`|---|---|---|${tasks.map(() => '---').join('|')}${hasPair ? '|---' : ''}|---|---|`);
  for (const x of r.rows) {
    lines.push(`| ${x.label} | ${x.backend} | ${pct(x.overall)} | ${tasks.map((t) => pct(x.perTask[t])).join(' | ')}${hasPair ? ` | ${pct(x.pair)}` : ''} | ${x.meanLatentSteps.toFixed(1)} | ${x.items} |`);
  }
  if (r.probes.length > 0) {
    lines.push('', '## Do the models use their latents?', '');
    lines.push('Accuracy with the latents replaced, and the drop from normal decoding (percentage points; paired bootstrap CI). A drop whose CI excludes 0 means the answer depends on the latents.', '');
    lines.push('| model | strategy | probe | accuracy | drop |', '|---|---|---|---|---|');
    for (const p of r.probes) lines.push(`| ${p.model} | ${p.strategy} | ${p.probe} | ${pct(p.accuracy)} | ${signed(p.drop)} |`);
  }
  if (r.findings.length > 0) {
    lines.push('', '## Findings', '');
    for (const f of r.findings) lines.push(`- ${f}`);
  }
  if (r.figures.length > 0) {
    lines.push('', '## Figures', '');
    for (const f of r.figures) lines.push(`![${f.caption}](${f.path})`, '', `*${f.caption}*`, '');
  }
  lines.push('', '## Settings', '', '```json', JSON.stringify(r.settings, null, 2), '```', '');
  return lines.join('\n');
}

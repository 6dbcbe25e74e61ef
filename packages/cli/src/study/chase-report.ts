import { lineChartSvg } from '@lvr/eval';
import type { CellStat, DiffStat, StudyTable } from './chase-table.js';
import { TRT_PROBES } from './chase-table.js';
import type { VerdictLine } from './chase-verdict.js';

const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '–');
const ci = (c: { lo: number; hi: number }): string => `[${f1(c.lo)}, ${f1(c.hi)}]`;
const cellText = (c: CellStat | undefined): string => (c ? `${f1(c.acc)} ${ci(c)}` : '–');
const diffText = (d: DiffStat | undefined): string => (d ? `${d.diff >= 0 ? '+' : ''}${f1(d.diff)} ${ci(d)}` : '–');
const pText = (p: number | undefined): string => (p === undefined ? '–' : p < 0.001 ? '< 0.001' : p.toFixed(3));

/** The hop count of a task label (`chase-k3` → 3), or undefined. */
export function hopsOf(label: string): number | undefined {
  const m = /-k(\d+)$/.exec(label);
  return m ? Number(m[1]) : undefined;
}

/**
 * Accuracy against k, one line per arm (seed-and-item means), plus a dashed chance line.
 *
 * @example
 * await writeFile('accuracy-vs-k.svg', accuracyVsKSvg(table, 'chase (perception-free)', 25));
 */
export function accuracyVsKSvg(t: StudyTable, title: string, chance: number): string {
  const labels = t.labels.filter((l) => hopsOf(l) !== undefined);
  const series = t.arms.map((a) => ({
    name: a.label, smooth: false,
    points: labels.map((l) => [hopsOf(l) as number, a.cells[l]?.acc ?? NaN] as [number, number]),
  }));
  const ks = labels.map((l) => hopsOf(l) as number);
  series.push({ name: 'chance', smooth: false, points: [[Math.min(...ks), chance], [Math.max(...ks), chance]] as [number, number][], dashed: true, color: '#999' } as never);
  return lineChartSvg({ title, xLabel: 'hops k', yLabel: 'accuracy %', series });
}

/**
 * The markdown tables of a study: accuracy per arm and task (hierarchical 95 % CIs), the primary endpoint, every
 * comparison with Holm-adjusted p-values, and the Token Replacement Test per arm and task.
 */
export function studyMarkdown(t: StudyTable, o: { title: string; command: string; chance: number; notes?: readonly string[]; verdict?: readonly VerdictLine[] }): string {
  const L: string[] = [`## ${o.title}`, '', `Command: \`${o.command}\``, ''];
  for (const n of o.notes ?? []) L.push(n);
  if (o.notes?.length) L.push('');
  const seeds = [...new Set(t.arms.flatMap((a) => a.seeds))].sort((a, b) => a - b);
  const items = t.arms.flatMap((a) => Object.values(a.cells)).find((c) => c)?.items ?? 0;
  L.push(`Accuracy % (mean over seeds ${seeds.join(', ')} × ${items} test items per task; hierarchical bootstrap 95 % CI over seeds and items; chance ${o.chance} %).`, '');
  L.push(`| arm | ${t.labels.join(' | ')} | seeds | train s | eval s |`, `|---|${t.labels.map(() => '---').join('|')}|---|---|---|`);
  for (const a of t.arms) L.push(`| ${a.label} | ${t.labels.map((l) => cellText(a.cells[l])).join(' | ')} | ${a.seeds.length} | ${Math.round(a.trainS)} | ${Math.round(a.evalS)} |`);
  L.push('');
  const [vsSft, vsPause] = t.primary.stats;
  L.push(`**Primary endpoint** (${t.primary.comparison}; Holm over these two): vs SFT ${diffText(vsSft?.stat)} (Holm p ${pText(vsSft?.stat?.pHolm)}); vs Pause-K ${diffText(vsPause?.stat)} (Holm p ${pText(vsPause?.stat?.pHolm)}).`, '');
  if (o.verdict?.length) {
    L.push('Gates and falsifiers (computed from the numbers above):', '');
    for (const v of o.verdict) L.push(`- ${v.text}`);
    L.push('');
  }
  if (t.comparisons.length > 0) {
    L.push('Every span arm vs SFT and vs Pause-K (difference in points, hierarchical 95 % CI, bootstrap p, Holm-adjusted over all rows of this table):', '');
    L.push('| arm | vs | task | Δ [95 % CI] | p | Holm p |', '|---|---|---|---|---|---|');
    for (const c of t.comparisons) L.push(`| ${c.arm} | ${c.versus} | ${c.label} | ${diffText(c.stat)} | ${pText(c.stat.p)} | ${pText(c.stat.pHolm)} |`);
    L.push('');
  }
  const probeArms = t.arms.filter((a) => Object.keys(t.probes[a.name] ?? {}).length > 0);
  if (probeArms.length > 0) {
    L.push('Token Replacement Test: accuracy % with the latents replaced, and the drop from the same model\'s normal run on the same items',
      '(seeds paired; 95 % CI). `counterfactual` also gives the follow rate (answers that follow the injected chain); `per-hop` is the',
      'fraction of items whose fed latent t is L2-nearest to the hop-t cell\'s token (for pointer-argmax: the token it pointed at).', '');
    const cols = [...TRT_PROBES, 'bottleneck'];
    L.push(`| arm | task | ${cols.join(' | ')} | per-hop % |`, `|---|---|${cols.map(() => '---').join('|')}|---|`);
    for (const a of probeArms) {
      for (const l of t.labels) {
        const p = t.probes[a.name]?.[l];
        if (!p) continue;
        const row = cols.map((k) => {
          const e = p[k];
          if (!e) return '–';
          return `${f1(e.acc.acc)} (Δ ${diffText(e.drop)})${e.follow !== undefined ? `, follow ${f1(e.follow * 100)}` : ''}`;
        });
        L.push(`| ${a.label} | ${l} | ${row.join(' | ')} | ${p['per-hop']?.perHop?.map(f1).join(' / ') ?? '–'} |`);
      }
    }
    L.push('');
  }
  return L.join('\n');
}

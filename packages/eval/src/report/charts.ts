import { barChartSvg, lineChartSvg } from './svg-chart.js';
import type { CurveSeries, ProbeRow, ReportRow } from './types.js';

/** Accuracy by task (groups) and method (series), with CI whiskers. */
export function accuracyChartSvg(rows: readonly ReportRow[], title = 'Accuracy by task and method (95 % CI)'): string {
  const tasks = [...new Set(rows.flatMap((r) => Object.keys(r.perTask)))].sort();
  const groups = [...tasks, 'overall'];
  const pick = (r: ReportRow, g: string) => (g === 'overall' ? r.overall : r.perTask[g]);
  return barChartSvg({
    title, yLabel: 'accuracy', groups, yRange: [0, 1], width: Math.max(720, 110 * groups.length * Math.max(1, rows.length / 3)), height: 420,
    series: rows.map((r) => ({
      name: r.label,
      values: groups.map((g) => pick(r, g)?.value ?? null),
      lo: groups.map((g) => pick(r, g)?.lo ?? null),
      hi: groups.map((g) => pick(r, g)?.hi ?? null),
    })),
  });
}

/** Accuracy drop per probe (groups = model · strategy) with paired CIs. */
export function probeChartSvg(probes: readonly ProbeRow[]): string {
  const groups = [...new Set(probes.map((p) => `${p.model} ${p.strategy === '-' ? '' : p.strategy}`.trim()))];
  const kinds = [...new Set(probes.map((p) => p.probe))];
  const find = (g: string, k: string) => probes.find((p) => `${p.model} ${p.strategy === '-' ? '' : p.strategy}`.trim() === g && p.probe === k);
  return barChartSvg({
    title: 'Accuracy drop when the latents are replaced (paired 95 % CI)', yLabel: 'drop (normal − probe)', groups, width: Math.max(640, 180 * groups.length), height: 400,
    series: kinds.map((k) => ({
      name: k,
      values: groups.map((g) => find(g, k)?.drop.value ?? null),
      lo: groups.map((g) => find(g, k)?.drop.lo ?? null),
      hi: groups.map((g) => find(g, k)?.drop.hi ?? null),
    })),
  });
}

/** Training curves of several runs on one metric. */
export function curvesChartSvg(curves: readonly CurveSeries[], metric: string, title: string): string {
  return lineChartSvg({
    title, xLabel: 'step', yLabel: metric, width: 760, height: 400,
    series: curves.filter((c) => c.metric === metric).map((c) => ({ name: c.name, points: c.points })),
  });
}

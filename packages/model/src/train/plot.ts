import { writeFileAtomic } from '@lvr/core';
import { lineChartSvg, svgToPng, type LineSeries } from '@lvr/eval';
import { readMetrics, type MetricRecord } from './metrics.js';

/** Options of {@link lossCurveSvg}. */
export interface LossCurveOptions {
  title?: string;
  /** EMA smoothing weight; default 0.6 when there are more than 20 steps, else 0. */
  smoothing?: number;
  logY?: boolean;
  width?: number;
  height?: number;
}

/**
 * The loss curve of a run as SVG: one series for `loss` and one per `loss/*` component (dashed), plus any
 * `eval/*loss*` values (unsmoothed), against `step`.
 *
 * @example
 * const svg = lossCurveSvg(await readMetrics('runs/a/metrics.jsonl'), { title: 'run a' });
 */
export function lossCurveSvg(records: readonly MetricRecord[], opts: LossCurveOptions = {}): string {
  const keys: string[] = [];
  for (const r of records) {
    for (const k of Object.keys(r)) {
      if (keys.includes(k)) continue;
      if (k === 'loss' || k.startsWith('loss/') || (k.startsWith('eval/') && k.includes('loss'))) keys.push(k);
    }
  }
  keys.sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const series: LineSeries[] = keys.map((k) => ({
    name: k,
    points: records.filter((r) => r[k] !== undefined).map((r) => [r.step as number, r[k] as number] as const),
    dashed: k !== 'loss' && !k.startsWith('eval/'),
    smooth: !k.startsWith('eval/'), // eval points are sparse: draw them as measured
  }));
  const steps = records.length;
  return lineChartSvg({
    title: opts.title ?? 'Training loss',
    xLabel: 'step',
    yLabel: 'loss',
    series,
    smoothing: opts.smoothing ?? (steps > 20 ? 0.6 : 0),
    logY: opts.logY ?? false,
    width: opts.width ?? 800,
    height: opts.height ?? 480,
  });
}

/**
 * Reads `metrics.jsonl` and writes the loss curve PNG atomically.
 *
 * @example
 * await writeLossCurvePng('runs/a/metrics.jsonl', 'runs/a/loss_curve.png');
 */
export async function writeLossCurvePng(metricsPath: string, pngPath: string, opts: LossCurveOptions = {}): Promise<void> {
  const records = await readMetrics(metricsPath);
  await writeFileAtomic(pngPath, await svgToPng(lossCurveSvg(records, opts)));
}

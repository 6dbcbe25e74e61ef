import { writeFileAtomic } from '@lvr/core';
import { lineChartSvg, svgToPng, type LineSeries } from '@lvr/eval';
import type { MetricRecord } from '../io/trainer-state.js';
import { readMetrics } from '../train/metrics.js';

/**
 * The reward curve of a GRPO_latent run as SVG: `reward/mean` (solid) and every `reward/<fn>/mean` (dashed)
 * against the step.
 *
 * @example
 * const svg = rewardCurveSvg(await readMetrics('runs/rl/metrics.jsonl'));
 */
export function rewardCurveSvg(records: readonly MetricRecord[], title = 'GRPO_latent reward'): string {
  const keys: string[] = [];
  for (const r of records) for (const k of Object.keys(r)) if (!keys.includes(k) && /^reward\/(mean|[^/]+\/mean)$/.test(k)) keys.push(k);
  keys.sort((a, b) => (a === 'reward/mean' ? -1 : b === 'reward/mean' ? 1 : a < b ? -1 : 1));
  const series: LineSeries[] = keys.map((k) => ({
    name: k,
    points: records.filter((r) => typeof r[k] === 'number' && Number.isFinite(r[k])).map((r) => [r.step as number, r[k] as number] as const),
    dashed: k !== 'reward/mean',
  }));
  return lineChartSvg({
    title, xLabel: 'step', yLabel: 'reward', series, smoothing: records.length > 20 ? 0.6 : 0, width: 800, height: 480,
  });
}

/**
 * Reads `metrics.jsonl` and writes `reward_curve.png` (atomically).
 *
 * @example
 * await writeRewardCurvePng('runs/rl/metrics.jsonl', 'runs/rl/reward_curve.png');
 */
export async function writeRewardCurvePng(metricsPath: string, pngPath: string): Promise<void> {
  await writeFileAtomic(pngPath, await svgToPng(rewardCurveSvg(await readMetrics(metricsPath))));
}

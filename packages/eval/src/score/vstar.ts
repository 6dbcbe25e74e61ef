import { checkResults, groupBy, meanCorrect, metricOf, type Metric, type ScorableResult, type ScoreOptions, type ScoreReport } from './metric.js';
import { VSTAR_CATEGORIES } from '../loaders/vstar.js';

/**
 * V*: accuracy per category (`vstar/direct_attributes`, `vstar/relative_position`) and overall, pooled over
 * all questions (`vstar/overall`), as the official script and lmms-eval report.
 *
 * @example
 * scoreVstar(results).metrics.at(-1)!.metric; // 'vstar/overall'
 */
export function scoreVstar(results: readonly ScorableResult[], opts: ScoreOptions = {}): ScoreReport {
  checkResults(results, 'vstar');
  const metrics: Metric[] = [];
  const notes: string[] = [];
  for (const [cat, rs] of groupBy(results, (r) => r.category)) metrics.push(metricOf(`vstar/${cat}`, rs, meanCorrect, opts));
  const missing = VSTAR_CATEGORIES.filter((c) => !results.some((r) => r.category === c));
  if (missing.length > 0) notes.push(`vstar: no results for ${missing.join(', ')}`);
  metrics.push(metricOf('vstar/overall', results, meanCorrect, opts));
  return { benchmark: 'vstar', metrics, notes };
}

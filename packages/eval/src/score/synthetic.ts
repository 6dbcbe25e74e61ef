import { checkResults, groupBy, meanCorrect, metricOf, pairAccuracy, type Metric, type ScorableResult, type ScoreOptions, type ScoreReport } from './metric.js';

/**
 * The synthetic suite: accuracy per task (`synthetic/<task>`), overall (`synthetic/overall`), and pair
 * accuracy of the MMVP-like pair task (`synthetic/pair_accuracy`, both images of a pair right) when pairs
 * are present. Score word answers by extracting with mode `'word'` first.
 *
 * @example
 * scoreSynthetic(results).metrics.map((m) => m.metric); // ['synthetic/attribute', 'synthetic/pair', 'synthetic/overall', 'synthetic/pair_accuracy']
 */
export function scoreSynthetic(results: readonly ScorableResult[], opts: ScoreOptions = {}): ScoreReport {
  checkResults(results, 'synthetic');
  const metrics: Metric[] = [];
  for (const [task, rs] of groupBy(results, (r) => r.category)) metrics.push(metricOf(`synthetic/${task}`, rs, meanCorrect, opts));
  metrics.push(metricOf('synthetic/overall', results, meanCorrect, opts));
  const notes: string[] = [];
  if (results.some((r) => typeof r.pairId === 'string')) {
    const pairs = pairAccuracy('synthetic/pair_accuracy', results, opts);
    if (pairs.metric) metrics.push(pairs.metric);
    notes.push(...pairs.notes);
  }
  return { benchmark: 'synthetic', metrics, notes };
}

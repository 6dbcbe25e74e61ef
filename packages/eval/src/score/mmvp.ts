import { checkResults, meanCorrect, metricOf, pairAccuracy, type Metric, type ScorableResult, type ScoreOptions, type ScoreReport } from './metric.js';

/**
 * MMVP: question accuracy (`mmvp/question_accuracy`, what lmms-eval and the LVR paper report) AND pair
 * accuracy (`mmvp/pair_accuracy`, MMVP's official number: a pair counts only if both of its questions are
 * right; the interval resamples pairs). Pairs need exactly two results.
 *
 * @example
 * const r = scoreMmvp(results);
 * r.metrics.map((m) => m.metric); // ['mmvp/question_accuracy', 'mmvp/pair_accuracy']
 */
export function scoreMmvp(results: readonly ScorableResult[], opts: ScoreOptions = {}): ScoreReport {
  checkResults(results, 'mmvp');
  const metrics: Metric[] = [metricOf('mmvp/question_accuracy', results, meanCorrect, opts)];
  const pairs = pairAccuracy('mmvp/pair_accuracy', results, opts);
  if (pairs.metric) metrics.push(pairs.metric);
  return { benchmark: 'mmvp', metrics, notes: pairs.notes };
}

import { BLINK_SUBTASKS } from '../loaders/blink.js';
import { checkResults, groupBy, meanCorrect, metricOf, type Metric, type ScorableResult, type ScoreOptions, type ScoreReport } from './metric.js';

/**
 * The unweighted mean over categories of each category's accuracy (BLINK's official aggregate).
 *
 * @example
 * macroAccuracy([{ category: 'a', correct: true }, { category: 'b', correct: false }, { category: 'b', correct: true }]); // 0.75
 */
export function macroAccuracy(results: readonly { category: string; correct: boolean }[]): number {
  const acc = [...groupBy(results, (r) => r.category).values()].map(meanCorrect);
  return acc.reduce((s, a) => s + a, 0) / acc.length;
}

/**
 * BLINK: accuracy per subtask (`blink/<Subtask>`), the official macro mean over the subtasks present
 * (`blink/macro`; its interval resamples within each subtask, so every resample keeps every subtask), and the
 * micro accuracy over all questions (`blink/micro`, what lmms-eval reports). A note flags a subset (the LVR
 * paper uses 5 of the 14 subtasks).
 *
 * @example
 * scoreBlink(results).metrics.find((m) => m.metric === 'blink/macro')!.value;
 */
export function scoreBlink(results: readonly ScorableResult[], opts: ScoreOptions = {}): ScoreReport {
  checkResults(results, 'blink');
  const metrics: Metric[] = [];
  const by = groupBy(results, (r) => r.category);
  for (const [sub, rs] of by) metrics.push(metricOf(`blink/${sub}`, rs, meanCorrect, opts));
  metrics.push(metricOf('blink/macro', results, macroAccuracy, opts, (r) => r.category));
  metrics.push(metricOf('blink/micro', results, meanCorrect, opts));
  const notes: string[] = [];
  const present = BLINK_SUBTASKS.filter((s) => by.has(s));
  if (present.length < BLINK_SUBTASKS.length) {
    notes.push(`blink: macro over ${by.size} subtask(s) (${[...by.keys()].join(', ')}), not all ${BLINK_SUBTASKS.length}; not comparable with the full-benchmark number`);
  }
  return { benchmark: 'blink', metrics, notes };
}

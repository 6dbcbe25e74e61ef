import { LvrError } from '@lvr/core';
import { checkResults, groupBy, meanCorrect, metricOf, type Metric, type ScorableResult, type ScoreOptions, type ScoreReport } from './metric.js';

type Row = ScorableResult & { source: string };

const sourceAcc = (s: readonly Row[], source: string): number => {
  let n = 0;
  let c = 0;
  for (const r of s) {
    if (r.source !== source) continue;
    n++;
    if (r.correct) c++;
  }
  return c / n;
};

/**
 * CV-Bench's official score `0.5 · ((acc_ADE20K + acc_COCO) / 2 + acc_Omni3D)`.
 *
 * @example
 * cvBenchOfficial({ ADE20K: 0.6, COCO: 0.8, Omni3D: 0.5 }); // 0.6
 */
export function cvBenchOfficial(acc: { ADE20K: number; COCO: number; Omni3D: number }): number {
  return 0.5 * ((acc.ADE20K + acc.COCO) / 2 + acc.Omni3D);
}

/**
 * CV-Bench: the official score (`cvbench/official`, needs all three sources), 2D = mean of the ADE20K and
 * COCO accuracies (`cvbench/2d`), 3D = Omni3D accuracy (`cvbench/3d`), accuracy per source
 * (`cvbench/source/<S>`) and per task (`cvbench/task/<T>`), and micro accuracy (`cvbench/micro`, lmms-eval's
 * default). Formula intervals resample within each source. Results need `groups.source`.
 *
 * @example
 * scoreCvBench(results).metrics[0]; // { metric: 'cvbench/official', value: 0.61, lo: 0.55, hi: 0.67, n: 2638 }
 */
export function scoreCvBench(results: readonly ScorableResult[], opts: ScoreOptions = {}): ScoreReport {
  checkResults(results, 'cvbench');
  const rows: Row[] = results.map((r) => {
    const source = r.groups?.source;
    if (typeof source !== 'string' || source.length === 0) {
      throw new LvrError('INVALID_ARGUMENT', `score cvbench: result ${r.id} has no groups.source (ADE20K, COCO or Omni3D)`, { details: { id: r.id } });
    }
    return { ...r, source };
  });
  const bySource = groupBy(rows, (r) => r.source);
  const has = (s: string): boolean => bySource.has(s);
  const strata = (r: Row): string => r.source;
  const metrics: Metric[] = [];
  const notes: string[] = [];
  if (has('ADE20K') && has('COCO') && has('Omni3D')) {
    const official = (s: readonly Row[]): number =>
      cvBenchOfficial({ ADE20K: sourceAcc(s, 'ADE20K'), COCO: sourceAcc(s, 'COCO'), Omni3D: sourceAcc(s, 'Omni3D') });
    metrics.push(metricOf('cvbench/official', rows.filter((r) => ['ADE20K', 'COCO', 'Omni3D'].includes(r.source)), official, opts, strata));
  } else {
    notes.push(`cvbench: the official score needs ADE20K, COCO and Omni3D results; present: ${[...bySource.keys()].join(', ')}`);
  }
  if (has('ADE20K') && has('COCO')) {
    const twoD = rows.filter((r) => r.source === 'ADE20K' || r.source === 'COCO');
    metrics.push(metricOf('cvbench/2d', twoD, (s) => (sourceAcc(s, 'ADE20K') + sourceAcc(s, 'COCO')) / 2, opts, strata));
  }
  if (has('Omni3D')) metrics.push(metricOf('cvbench/3d', bySource.get('Omni3D')!, meanCorrect, opts));
  for (const [source, rs] of bySource) metrics.push(metricOf(`cvbench/source/${source}`, rs, meanCorrect, opts));
  for (const [task, rs] of groupBy(rows, (r) => r.category)) metrics.push(metricOf(`cvbench/task/${task}`, rs, meanCorrect, opts));
  metrics.push(metricOf('cvbench/micro', rows, meanCorrect, opts));
  return { benchmark: 'cvbench', metrics, notes };
}

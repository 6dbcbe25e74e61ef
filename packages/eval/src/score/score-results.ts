import { LvrError } from '@lvr/core';
import { BENCHMARKS, type BenchmarkName } from '../item.js';
import { scoreBlink } from './blink.js';
import { scoreCvBench } from './cvbench.js';
import { groupBy, type ScorableResult, type ScoreOptions, type ScoreReport } from './metric.js';
import { scoreMmvp } from './mmvp.js';
import { scoreSynthetic } from './synthetic.js';
import { scoreVstar } from './vstar.js';

/**
 * Scores results of one benchmark with its scorer.
 *
 * @example
 * scoreResults('blink', records).metrics;
 */
export function scoreResults(benchmark: BenchmarkName, results: readonly ScorableResult[], opts: ScoreOptions = {}): ScoreReport {
  switch (benchmark) {
    case 'mmvp':
      return scoreMmvp(results, opts);
    case 'vstar':
      return scoreVstar(results, opts);
    case 'blink':
      return scoreBlink(results, opts);
    case 'cvbench':
      return scoreCvBench(results, opts);
    case 'synthetic':
      return scoreSynthetic(results, opts);
    default:
      throw new LvrError('INVALID_ARGUMENT', `score: unknown benchmark ${JSON.stringify(benchmark)} (expected ${BENCHMARKS.join(', ')})`, {
        details: { benchmark },
      });
  }
}

/**
 * Scores a mixed list of result records (e.g. one results file covering several benchmarks): one report per
 * benchmark, in order of first appearance.
 *
 * @example
 * scoreAll(await readResults('runs/eval/results.jsonl')).map((r) => r.benchmark); // ['mmvp', 'vstar']
 */
export function scoreAll(results: readonly (ScorableResult & { benchmark: BenchmarkName })[], opts: ScoreOptions = {}): ScoreReport[] {
  return [...groupBy(results, (r) => r.benchmark)].map(([b, rs]) => scoreResults(b as BenchmarkName, rs, opts));
}

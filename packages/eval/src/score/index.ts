/** Scorers with bootstrap confidence intervals: MMVP, V*, BLINK, CV-Bench and the synthetic suite. */
export { bootstrapCi } from './bootstrap.js';
export type { BootstrapOptions, Interval } from './bootstrap.js';
export { metricOf, groupBy, meanCorrect, pairAccuracy, checkResults } from './metric.js';
export type { Metric, ScorableResult, ScoreReport, ScoreOptions } from './metric.js';
export { scoreMmvp } from './mmvp.js';
export { scoreVstar } from './vstar.js';
export { scoreBlink, macroAccuracy } from './blink.js';
export { scoreCvBench, cvBenchOfficial } from './cvbench.js';
export { scoreSynthetic } from './synthetic.js';
export { scoreResults, scoreAll } from './score-results.js';
export { formatScoreTable } from './format.js';
export { hierarchicalBootstrap, hierarchicalMean } from './hierarchical.js';
export type { SeedItemScores, HierarchicalOptions, HierarchicalMean, HierarchicalDifference } from './hierarchical.js';
export { holmCorrection, type HolmResult } from './holm.js';

/**
 * @lvr/eval — benchmark loaders (MMVP, V*, BLINK, CV-Bench, the synthetic suite; local files only),
 * prompting and answer extraction (ordered named rules plus compat modes of other harnesses), scorers with
 * bootstrap confidence intervals, and resumable / shardable per-item results. See docs/evaluation.md.
 */
export * from './item.js';
export * from './loaders/index.js';
export * from './prompt/index.js';
export * from './extract/index.js';
export * from './score/index.js';
export * from './results/index.js';

// ---------------------------------------------------------------------------------------------------------
// Model-facing modules (runner, latent-reliance probes, reports) — maintained by the lead; add exports below.
// ---------------------------------------------------------------------------------------------------------
export * from './runner/index.js';
export * from './report/index.js';
export * from './probe/index.js';

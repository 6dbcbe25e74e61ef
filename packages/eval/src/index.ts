export * from './item.js';
export * from './loaders/index.js';
// ── model-facing modules (evaluation runner, probes, reports) ──
export * from './runner/index.js';
export * from './report/index.js';

import type { MetricCi, ReportRow } from '../report/types.js';
import { scoreSynthetic } from '../score/synthetic.js';
import type { EvalRecord } from './evaluate.js';

/**
 * One report row from the synthetic-suite records of one configuration: overall and per-task accuracy and the
 * pair accuracy, each with its bootstrap 95 % CI (`scoreSynthetic`), plus the mean number of latent steps.
 */
export function summarizeRecords(records: readonly EvalRecord[], meta: { label: string; model: string; backend: string; seed?: number }): ReportRow {
  const report = scoreSynthetic(records, { seed: meta.seed ?? 0 });
  const ci = (name: string): MetricCi | undefined => {
    const m = report.metrics.find((x) => x.metric === `synthetic/${name}`);
    return m ? { value: m.value, lo: m.lo, hi: m.hi, n: m.n } : undefined;
  };
  const tasks = [...new Set(records.map((r) => r.category))].sort();
  const perTask: Record<string, MetricCi> = {};
  for (const t of tasks) {
    const m = ci(t);
    if (m) perTask[t] = m;
  }
  return {
    label: meta.label,
    model: meta.model,
    strategy: records[0]?.strategy ?? '-',
    backend: meta.backend,
    overall: ci('overall') as MetricCi,
    perTask,
    pair: ci('pair_accuracy'),
    meanLatentSteps: records.length ? records.reduce((s, r) => s + r.latentSteps, 0) / records.length : 0,
    items: records.length,
  };
}

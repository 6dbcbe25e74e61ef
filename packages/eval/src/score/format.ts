import type { ScoreReport } from './metric.js';

const pct = (v: number, digits: number): string => (100 * v).toFixed(digits);

/**
 * A plain-text table of every metric with its interval, in percent, followed by the reports' notes.
 *
 * @example
 * formatScoreTable([scoreMmvp(results)]);
 * // metric                   value   95% CI          n
 * // mmvp/question_accuracy    75.0   [50.0, 100.0]    4
 */
export function formatScoreTable(reports: readonly ScoreReport[], opts: { digits?: number; level?: number } = {}): string {
  const digits = opts.digits ?? 1;
  const head = ['metric', 'value', `${Math.round((opts.level ?? 0.95) * 100)}% CI`, 'n'];
  const rows = reports.flatMap((r) => r.metrics.map((m) => [m.metric, pct(m.value, digits), `[${pct(m.lo, digits)}, ${pct(m.hi, digits)}]`, String(m.n)]));
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   ').trimEnd();
  const notes = reports.flatMap((r) => r.notes.map((n) => `note: ${n}`));
  return [line(head), ...rows.map(line), ...notes].join('\n');
}

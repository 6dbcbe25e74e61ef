import { appendFile, readFile } from 'node:fs/promises';
import { LvrError, writeFileAtomic } from '@lvr/core';
import type { MetricRecord } from '../io/trainer-state.js';

export type { MetricRecord };

/**
 * Metric names the trainer writes to `metrics.jsonl`, one JSON object per optimizer step (keys absent when
 * not applicable). Slash-namespaced; a non-finite value is written as `null`.
 *
 * - `step` — optimizer steps completed, 1-based (the first update is step 1; checkpoint-N holds step N).
 * - `loss` — total training loss of the step, mean over its `accumSteps` micro-batches.
 * - `loss/ce` — cross-entropy part of the loss, when the loss function reports it (mean over micro-batches).
 * - `loss/lvr` — latent visual reconstruction part (LVR), when reported. Any other scalar the loss function
 *   returns in `metrics` is written under its own key in the same way.
 * - `lr` — learning rate used by this step's update (after warmup / decay / stage restart).
 * - `grad_norm` — global L2 norm of the averaged gradient before clipping.
 * - `tokens_per_s` — Σ `batch.numTokens` over the step's micro-batches ÷ the step's wall time (only when the
 *   data function sets `numTokens`).
 * - `time_ms` — wall time of the step: data, forward/backward, clipping and update (not eval / checkpoint).
 * - `stage` — 0-based index of the schedule stage (only with staged schedules).
 * - `skipped_steps` — cumulative count of steps skipped for a non-finite loss or gradient norm.
 * - `nonfinite` — on a skipped step only: 1 = loss, 2 = gradient norm was non-finite.
 * - `eval/<name>` — values returned by the evaluation hook, on the steps where it ran.
 */
export const METRIC_NAMES = {
  step: 'optimizer steps completed, 1-based',
  loss: 'total training loss, mean over micro-batches',
  'loss/ce': 'cross-entropy part of the loss (when reported by the loss function)',
  'loss/lvr': 'latent visual reconstruction part of the loss (when reported)',
  lr: 'learning rate used by the update',
  grad_norm: 'global L2 gradient norm before clipping',
  tokens_per_s: 'training tokens per second (needs batch.numTokens)',
  time_ms: 'wall time of the step in milliseconds',
  stage: 'index of the schedule stage (staged schedules only)',
  skipped_steps: 'cumulative number of skipped non-finite steps',
  nonfinite: 'on a skipped step: 1 = loss, 2 = gradient norm was non-finite',
  'eval/*': 'values returned by the evaluation hook',
} as const;

/**
 * Parses `metrics.jsonl`. `null` values become NaN. A torn last line (a crash mid-append) is dropped; any
 * other malformed line is an `LvrError('IO_ERROR')` naming the file and line.
 *
 * @example
 * const records = await readMetrics('runs/a/metrics.jsonl');
 */
export async function readMetrics(path: string): Promise<MetricRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new LvrError('IO_ERROR', `could not read ${path}`, { cause, details: { file: path } });
  }
  const lines = text.split('\n');
  const out: MetricRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (cause) {
      if (i === lines.length - 1) break; // torn final line without newline
      throw new LvrError('IO_ERROR', `${path}:${i + 1}: not valid JSON`, { cause, details: { file: path, line: i + 1 } });
    }
    if (typeof rec !== 'object' || rec === null || Array.isArray(rec) || typeof (rec as { step?: unknown }).step !== 'number') {
      throw new LvrError('IO_ERROR', `${path}:${i + 1}: expected an object with a numeric "step"`, { details: { file: path, line: i + 1 } });
    }
    const r: MetricRecord = {};
    for (const [k, v] of Object.entries(rec)) if (typeof v === 'number' || v === null) r[k] = v ?? Number.NaN;
    out.push(r);
  }
  return out;
}

/**
 * Appends one JSON line per step to `metrics.jsonl`. On resume, {@link MetricsWriter.open} first drops
 * the lines of steps after the checkpoint (they are about to be recomputed).
 *
 * @example
 * const w = await MetricsWriter.open(join(outDir, 'metrics.jsonl'), { truncateAfterStep: 500 });
 * await w.append({ step: 501, loss: 1.2, lr: 1e-4 });
 */
export class MetricsWriter {
  private constructor(readonly path: string) {}

  /** Opens `path` for appending; with `truncateAfterStep`, rewrites it keeping only steps ≤ that step. */
  static async open(path: string, opts: { truncateAfterStep?: number } = {}): Promise<MetricsWriter> {
    if (opts.truncateAfterStep !== undefined) {
      const keep = (await readMetrics(path)).filter((r) => (r.step as number) <= (opts.truncateAfterStep as number));
      await writeFileAtomic(path, keep.map((r) => `${JSON.stringify(r)}\n`).join(''));
    } else {
      await writeFileAtomic(path, '');
    }
    return new MetricsWriter(path);
  }

  /** Appends one record as a JSON line. */
  async append(record: MetricRecord): Promise<void> {
    try {
      await appendFile(this.path, `${JSON.stringify(record)}\n`);
    } catch (cause) {
      throw new LvrError('IO_ERROR', `could not append to ${this.path}`, { cause, details: { file: this.path } });
    }
  }
}

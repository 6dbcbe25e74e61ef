import { ProgressReporter, createLogger, isLvrError, type LvrError } from '@lvr/core';
import type { ResolvedDatasetReadOptions } from './options.js';
import type { DatasetReadResult, SkippedRecord } from './types.js';

const log = createLogger('@lvr/data/datasets');
const MAX_SKIP_WARNINGS = 20;

/** One unit of work: a record's position and whatever the reader needs to process it. */
export interface RecordItem {
  readonly index: number;
  readonly line?: number | undefined;
}

/**
 * Runs `process` over every item with bounded concurrency, keeping file order in the result.
 * An LvrError from `process` either aborts the run (`onInvalid: 'error'`; the error of the lowest record
 * index is thrown, so the report is deterministic) or is recorded in `skipped` with a warning
 * (`onInvalid: 'skip'`). Any other exception is a bug and always propagates.
 */
export async function runRecords<I extends RecordItem, T>(
  file: string,
  items: readonly I[],
  options: ResolvedDatasetReadOptions,
  process: (item: I) => Promise<T>,
  idOf: (item: I) => string | undefined,
): Promise<DatasetReadResult<T>> {
  const progress = new ProgressReporter(`read ${file}`, items.length, options.onProgress);
  const step = Math.max(1, Math.floor(items.length / 100));
  const results = new Array<T | undefined>(items.length);
  const failures: { pos: number; error: LvrError }[] = [];
  let next = 0;
  let sinceTick = 0;
  let aborted = false;

  const worker = async (): Promise<void> => {
    while (!aborted && next < items.length) {
      const pos = next++;
      const item = items[pos] as I;
      try {
        results[pos] = await process(item);
      } catch (e) {
        if (!isLvrError(e)) {
          aborted = true;
          throw e;
        }
        failures.push({ pos, error: e });
        if (options.onInvalid === 'error') aborted = true;
      }
      if (++sinceTick >= step) {
        progress.tick(sinceTick);
        sinceTick = 0;
      }
    }
  };
  const workers = Array.from({ length: Math.min(options.concurrency, Math.max(1, items.length)) }, worker);
  const settled = await Promise.allSettled(workers);
  const crashed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (crashed) throw crashed.reason;

  failures.sort((a, b) => a.pos - b.pos);
  if (options.onInvalid === 'error' && failures.length > 0) throw (failures[0] as { error: LvrError }).error;

  const skipped: SkippedRecord[] = failures.map(({ pos, error }) => {
    const item = items[pos] as I;
    const field = error.details.field;
    return {
      index: item.index,
      line: item.line,
      id: idOf(item),
      field: typeof field === 'string' ? field : undefined,
      code: error.code,
      reason: error.message,
    };
  });
  skipped.slice(0, MAX_SKIP_WARNINGS).forEach((s) => log.warn(`skipped invalid record: ${s.reason}`, { code: s.code }));
  if (skipped.length > 0) {
    log.warn(`${file}: skipped ${skipped.length} of ${items.length} record(s)`, {
      skipped: skipped.length,
      notShown: Math.max(0, skipped.length - MAX_SKIP_WARNINGS),
    });
  }
  if (sinceTick > 0) progress.tick(sinceTick);
  progress.finish();
  const failed = new Set(failures.map((f) => f.pos));
  return { records: results.filter((_, pos) => !failed.has(pos)) as T[], skipped };
}

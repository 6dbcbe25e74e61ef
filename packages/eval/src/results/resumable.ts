import { LvrError, ProgressReporter, type ProgressCallback } from '@lvr/core';
import type { McqItem } from '../item.js';
import { appendResult, openResults } from './results-file.js';
import { resultKey, type ResultRecord } from './record.js';
import { shardItems, type Shard } from './shard.js';

/**
 * The items that have no record yet (matched by benchmark and id), in item order.
 *
 * @example
 * pendingItems(items, await openResults(path)).length; // items still to run
 */
export function pendingItems<T extends Pick<McqItem, 'benchmark' | 'id'>>(items: readonly T[], records: readonly Pick<ResultRecord, 'benchmark' | 'id'>[]): T[] {
  const done = new Set(records.map(resultKey));
  return items.filter((it) => !done.has(resultKey(it)));
}

/** Options of {@link runResumable}. */
export interface RunResumableOptions {
  /** Run only this shard (`{index, count}` or `"i/n"`, 1-based). */
  shard?: Shard | string | undefined;
  /** Progress events: task `"eval"`, one tick per item computed. */
  onProgress?: ProgressCallback | undefined;
}

/** What {@link runResumable} did. */
export interface RunResumableResult {
  /** The records of this shard's items, in item order (earlier runs' and this run's). */
  readonly records: readonly ResultRecord[];
  /** Items computed by this call. */
  readonly computed: number;
  /** Items skipped because the file already had their record. */
  readonly skipped: number;
}

/**
 * Evaluates items one by one and appends each record to a JSONL file as soon as it is ready, so a killed run
 * loses at most the item in flight: a second call with the same file skips every item already recorded (a
 * torn last line is cut and that item recomputed). With `shard`, only that block of items is run; merge the
 * shards' files with `mergeResults`. `fn` must return the record of the item it was given.
 *
 * @example
 * const { computed, skipped } = await runResumable(items, 'runs/eval/mmvp.jsonl', async (item) =>
 *   makeResult(item, await generateText(item)), { shard: '1/4' });
 */
export async function runResumable(
  items: readonly McqItem[],
  path: string,
  fn: (item: McqItem) => Promise<ResultRecord> | ResultRecord,
  opts: RunResumableOptions = {},
): Promise<RunResumableResult> {
  const mine = shardItems(items, opts.shard);
  const existing = await openResults(path);
  const byKey = new Map<string, ResultRecord>();
  for (const r of existing) if (!byKey.has(resultKey(r))) byKey.set(resultKey(r), r);
  const todo = pendingItems(mine, existing);
  const progress = new ProgressReporter('eval', todo.length, opts.onProgress);
  for (const item of todo) {
    const record = await fn(item);
    if (record.id !== item.id || record.benchmark !== item.benchmark) {
      throw new LvrError('INVALID_ARGUMENT', `runResumable: fn returned the record of ${record.benchmark}/${record.id} for item ${item.benchmark}/${item.id}`, {
        details: { id: item.id },
      });
    }
    await appendResult(path, record);
    byKey.set(resultKey(record), record);
    progress.tick();
  }
  progress.finish();
  return {
    records: mine.map((it) => byKey.get(resultKey(it))!),
    computed: todo.length,
    skipped: mine.length - todo.length,
  };
}

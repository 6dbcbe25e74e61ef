import { LvrError, writeFileAtomic } from '@lvr/core';
import { readResults } from './results-file.js';
import { resultKey, type ResultRecord } from './record.js';

/** Fields that may differ between two runs of the same item without it being a conflict. */
export const VOLATILE_RESULT_FIELDS = Object.freeze(['elapsedMs', 'timestamp']);

/** Options of {@link mergeResults}. */
export interface MergeResultsOptions {
  /** Fields ignored when comparing duplicates (default {@link VOLATILE_RESULT_FIELDS}). */
  ignoreFields?: readonly string[];
  /** Sort the merged records by this item order (records of other items go last, in file order). */
  order?: readonly { readonly benchmark: string; readonly id: string }[];
}

function canonical(r: ResultRecord, ignore: ReadonlySet<string>): string {
  const sortKeys = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sortKeys)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]))
        : v;
  return JSON.stringify(sortKeys(Object.fromEntries(Object.entries(r).filter(([k]) => !ignore.has(k)))));
}

/**
 * The records of several results files (shards, or a run and its resumption) in file then line order, each
 * item once. The same item twice with the same content (ignoring volatile fields such as timings) is kept
 * once; with different content it is an `INVALID_ARGUMENT` error naming both files.
 *
 * @example
 * const merged = await mergeResults(['shard-1.jsonl', 'shard-2.jsonl']);
 */
export async function mergeResults(paths: readonly string[], opts: MergeResultsOptions = {}): Promise<ResultRecord[]> {
  const ignore = new Set(opts.ignoreFields ?? VOLATILE_RESULT_FIELDS);
  const seen = new Map<string, { record: ResultRecord; file: string; text: string }>();
  const out: ResultRecord[] = [];
  for (const file of paths) {
    for (const record of await readResults(file)) {
      const key = resultKey(record);
      const text = canonical(record, ignore);
      const prev = seen.get(key);
      if (prev === undefined) {
        seen.set(key, { record, file, text });
        out.push(record);
      } else if (prev.text !== text) {
        throw new LvrError(
          'INVALID_ARGUMENT',
          `merge: ${record.benchmark} item ${record.id} has different results in ${prev.file} and ${file} ` +
            `(letter ${JSON.stringify(prev.record.letter)} vs ${JSON.stringify(record.letter)}); were they run with different settings?`,
          { details: { id: record.id, files: [prev.file, file] } },
        );
      }
    }
  }
  if (opts.order === undefined) return out;
  const rank = new Map(opts.order.map((o, i) => [resultKey(o), i]));
  const pos = (r: ResultRecord): number => rank.get(resultKey(r)) ?? Number.MAX_SAFE_INTEGER;
  return out.map((r, i) => ({ r, i })).sort((a, b) => pos(a.r) - pos(b.r) || a.i - b.i).map((x) => x.r);
}

/**
 * The merge command: {@link mergeResults} written to `outPath` as JSONL (atomically). Returns the records.
 *
 * @example
 * await mergeResultFiles(['runs/s1.jsonl', 'runs/s2.jsonl'], 'runs/all.jsonl');
 */
export async function mergeResultFiles(paths: readonly string[], outPath: string, opts: MergeResultsOptions = {}): Promise<ResultRecord[]> {
  const records = await mergeResults(paths, opts);
  await writeFileAtomic(outPath, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return records;
}

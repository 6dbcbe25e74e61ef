/** Per-item results as JSONL: resumable runs, shards and their merge. */
export { makeResult, resultKey, parseResultRecord } from './record.js';
export type { ResultRecord, MakeResultOptions } from './record.js';
export { appendResult, readResults, openResults, inspectResults } from './results-file.js';
export type { ResultsFileState } from './results-file.js';
export { parseShard, shardItems } from './shard.js';
export type { Shard } from './shard.js';
export { mergeResults, mergeResultFiles, VOLATILE_RESULT_FIELDS } from './merge.js';
export type { MergeResultsOptions } from './merge.js';
export { runResumable, pendingItems } from './resumable.js';
export type { RunResumableOptions, RunResumableResult } from './resumable.js';

import { appendFile, mkdir, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LvrError, createLogger, isLvrError } from '@lvr/core';
import { rowError } from '../loaders/location.js';
import { parseResultRecord, type ResultRecord } from './record.js';

const log = createLogger('eval:results');

/** What {@link inspectResults} found in a results file. */
export interface ResultsFileState {
  readonly records: ResultRecord[];
  /** Bytes of complete lines (everything up to and including the last newline). */
  readonly completeBytes: number;
  /** A last line without its newline: `'torn'` (not a valid record: a killed write), `'complete'` (valid), or `'none'`. */
  readonly tail: 'none' | 'torn' | 'complete';
}

/**
 * Reads a results JSONL file line by line. Every complete line must be a valid record (`DATASET_FORMAT`
 * naming the file, line and field); a last line without a newline is a killed write when it does not parse
 * (`tail: 'torn'`, left out) and a normal last record otherwise. Missing file → `IO_ERROR`.
 */
export async function inspectResults(path: string): Promise<ResultsFileState> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new LvrError('IO_ERROR', `${path}: results file ${code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? String(cause)})`}`, {
      cause,
      details: { file: path },
    });
  }
  const completeBytes = buf.lastIndexOf(0x0a) + 1;
  const lines = buf.subarray(0, completeBytes).toString('utf8').split('\n');
  lines.pop(); // the empty string after the last newline
  const records: ResultRecord[] = [];
  lines.forEach((raw, i) => {
    if (raw.trim().length === 0) return;
    const loc = { file: path, line: i + 1 };
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch (cause) {
      throw rowError(loc, undefined, `invalid JSON in the middle of the file (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
    }
    records.push(parseResultRecord(v, loc));
  });
  const tailText = buf.subarray(completeBytes).toString('utf8');
  if (tailText.trim().length === 0) return { records, completeBytes, tail: 'none' };
  try {
    records.push(parseResultRecord(JSON.parse(tailText), { file: path, line: lines.length + 1 }));
    return { records, completeBytes, tail: 'complete' };
  } catch {
    return { records, completeBytes, tail: 'torn' };
  }
}

/**
 * The records of a results file, tolerating a torn last line (a run killed mid-write: that line is left
 * out and logged). Any other bad line is `DATASET_FORMAT` naming the file and line.
 *
 * @example
 * const records = await readResults('runs/eval/mmvp.jsonl');
 */
export async function readResults(path: string): Promise<ResultRecord[]> {
  const state = await inspectResults(path);
  if (state.tail === 'torn') log.warn(`${path}: ignoring a torn last line (an interrupted write)`);
  return state.records;
}

/**
 * Opens a results file for appending more records: a missing file is an empty result list; a torn last line
 * is cut off the file (so the next append starts a clean line); a valid last line without a newline gets
 * its newline. Returns the records already there.
 *
 * @example
 * const done = await openResults('runs/eval/mmvp.jsonl'); // [] on the first run
 */
export async function openResults(path: string): Promise<ResultRecord[]> {
  let state: ResultsFileState;
  try {
    state = await inspectResults(path);
  } catch (e) {
    if (isLvrError(e) && e.code === 'IO_ERROR' && (e.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return [];
    throw e;
  }
  try {
    if (state.tail === 'torn') {
      log.warn(`${path}: cutting a torn last line (an interrupted write); that item will be recomputed`);
      await truncate(path, state.completeBytes);
    } else if (state.tail === 'complete') {
      await appendFile(path, '\n');
    }
  } catch (cause) {
    throw new LvrError('IO_ERROR', `${path}: cannot repair the results file`, { cause, details: { file: path } });
  }
  return state.records;
}

/**
 * Appends one record as one JSONL line (a single write, so a kill leaves at most one torn last line).
 *
 * @example
 * await appendResult('runs/eval/mmvp.jsonl', makeResult(item, text));
 */
export async function appendResult(path: string, record: ResultRecord): Promise<void> {
  const line = `${JSON.stringify(record)}\n`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await appendFile(path, line);
  } catch (cause) {
    throw new LvrError('IO_ERROR', `${path}: cannot append a result`, { cause, details: { file: path } });
  }
}

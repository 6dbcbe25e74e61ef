import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LvrError } from '@lvr/core';
import type { BenchmarkJsonRecord } from './records.js';
import { SUITE_FILES } from './suite.js';

function fail(file: string, line: number, field: string, message: string): LvrError {
  return new LvrError('DATASET_FORMAT', `${file}: line ${line} field "${field}": ${message}`, { details: { file, line, field } });
}

function checkRecord(v: unknown, file: string, line: number): BenchmarkJsonRecord {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw fail(file, line, '(record)', 'expected a JSON object');
  const r = v as Record<string, unknown>;
  for (const f of ['id', 'image', 'question', 'answer', 'answer_word', 'category', 'task'] as const) {
    if (typeof r[f] !== 'string' || (r[f] as string).length === 0) throw fail(file, line, f, 'expected a non-empty string');
  }
  const options = r.options;
  if (!Array.isArray(options) || options.length < 2 || !options.every((o) => typeof o === 'string')) {
    throw fail(file, line, 'options', 'expected an array of at least 2 strings');
  }
  const idx = (r.answer as string).charCodeAt(0) - 65;
  if ((r.answer as string).length !== 1 || idx < 0 || idx >= options.length) {
    throw fail(file, line, 'answer', `expected a letter A..${String.fromCharCode(64 + options.length)}, got ${JSON.stringify(r.answer)}`);
  }
  if (options[idx] !== r.answer_word) {
    throw fail(file, line, 'answer_word', `"${String(r.answer_word)}" is not option ${r.answer as string} ("${String(options[idx])}")`);
  }
  if (r.pair_id !== null && typeof r.pair_id !== 'string') throw fail(file, line, 'pair_id', 'expected a string or null');
  const roi = r.roi;
  if (!Array.isArray(roi) || roi.length !== 4 || !roi.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw fail(file, line, 'roi', 'expected [x0, y0, x1, y1] of finite numbers');
  }
  if (roi[0] > roi[2] || roi[1] > roi[3]) throw fail(file, line, 'roi', `expected x0 ≤ x1 and y0 ≤ y1, got ${JSON.stringify(roi)}`);
  return r as unknown as BenchmarkJsonRecord;
}

/**
 * Reads and validates a suite's `test.jsonl` (the benchmark-style items). Errors are `DATASET_FORMAT`
 * naming the file, line and field.
 *
 * @example
 * const items = await readSyntheticTestSet('runs/demo/suite');
 * items[0].answer; // "B"
 */
export async function readSyntheticTestSet(suiteDir: string): Promise<BenchmarkJsonRecord[]> {
  const file = join(suiteDir, SUITE_FILES.test);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new LvrError('IO_ERROR', `${file}: cannot read the test set`, { cause, details: { file } });
  }
  const out: BenchmarkJsonRecord[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim().length === 0) return;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch (cause) {
      throw new LvrError('DATASET_FORMAT', `${file}: line ${i + 1}: invalid JSON`, { cause, details: { file, line: i + 1 } });
    }
    out.push(checkRecord(v, file, i + 1));
  });
  return out;
}

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
  checkBox(r.roi, file, line, 'roi');
  if (r.hops !== undefined && (!Number.isInteger(r.hops) || (r.hops as number) < 1)) {
    throw fail(file, line, 'hops', `expected a positive integer, got ${JSON.stringify(r.hops)}`);
  }
  if (r.rois !== undefined) checkBoxList(r.rois, file, line, 'rois', r.hops as number | undefined);
  if (r.counterfactual !== undefined) {
    const cf = r.counterfactual as Record<string, unknown>;
    if (typeof cf !== 'object' || cf === null || Array.isArray(cf)) throw fail(file, line, 'counterfactual', 'expected an object { rois, answer_word }');
    checkBoxList(cf.rois, file, line, 'counterfactual.rois', r.hops as number | undefined);
    if (typeof cf.answer_word !== 'string' || !options.includes(cf.answer_word)) {
      throw fail(file, line, 'counterfactual.answer_word', `expected one of the options, got ${JSON.stringify(cf.answer_word)}`);
    }
  }
  return r as unknown as BenchmarkJsonRecord;
}

function checkBox(box: unknown, file: string, line: number, field: string): void {
  if (!Array.isArray(box) || box.length !== 4 || !box.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw fail(file, line, field, 'expected [x0, y0, x1, y1] of finite numbers');
  }
  if (box[0] > box[2] || box[1] > box[3]) throw fail(file, line, field, `expected x0 ≤ x1 and y0 ≤ y1, got ${JSON.stringify(box)}`);
}

/** A non-empty list of boxes; with `hops` given, exactly `hops` of them. */
function checkBoxList(v: unknown, file: string, line: number, field: string, hops: number | undefined): void {
  if (!Array.isArray(v) || v.length === 0) throw fail(file, line, field, 'expected a non-empty array of boxes');
  if (hops !== undefined && v.length !== hops) throw fail(file, line, field, `expected ${hops} boxes (one per hop), got ${v.length}`);
  v.forEach((b, i) => checkBox(b, file, line, `${field}[${i}]`));
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

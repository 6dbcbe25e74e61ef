import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { LvrError } from '@lvr/core';
import { boxField, boxListField, nonEmptyText } from '../datasets/fields.js';
import { checkWith, type FieldIssue } from '../schema/validate.js';
import type { BenchmarkJsonRecord } from './records.js';
import { SUITE_FILES } from './suite.js';

const boxes = boxListField('expected a non-empty array of boxes').refine((b) => b.length > 0, { error: 'expected a non-empty array of boxes, got none' });

/** One benchmark-style item of `test.jsonl` (unknown keys are kept). */
const testRecordSchema = z
  .looseObject(
    {
      id: nonEmptyText,
      image: nonEmptyText,
      question: nonEmptyText,
      options: z.array(z.string(), { error: 'expected an array of at least 2 strings' }).min(2, { error: 'expected an array of at least 2 strings' }),
      answer: nonEmptyText,
      answer_word: nonEmptyText,
      category: nonEmptyText,
      task: nonEmptyText,
      pair_id: z.string({ error: 'expected a string or null' }).nullable(),
      roi: boxField,
      hops: z.int({ error: 'expected a positive integer' }).min(1, { error: 'expected a positive integer' }).optional(),
      rois: boxes.optional(),
      counterfactual: z.object({ rois: boxes, answer_word: z.string({ error: 'expected one of the options' }) }, { error: 'expected an object { rois, answer_word }' }).optional(),
    },
    { error: 'expected a JSON object' },
  )
  .superRefine((r, ctx) => {
    const idx = r.answer.charCodeAt(0) - 65;
    if (r.answer.length !== 1 || idx < 0 || idx >= r.options.length) {
      ctx.addIssue({ code: 'custom', path: ['answer'], message: `expected a letter A..${String.fromCharCode(64 + r.options.length)}, got ${JSON.stringify(r.answer)}` });
    } else if (r.options[idx] !== r.answer_word) {
      ctx.addIssue({ code: 'custom', path: ['answer_word'], message: `"${r.answer_word}" is not option ${r.answer} ("${r.options[idx]}")` });
    }
    const perHop: [PropertyKey[], readonly unknown[] | undefined][] = [[['rois'], r.rois], [['counterfactual', 'rois'], r.counterfactual?.rois]];
    for (const [path, list] of perHop) {
      if (r.hops !== undefined && list !== undefined && list.length !== r.hops) {
        ctx.addIssue({ code: 'custom', path, message: `expected ${r.hops} boxes (one per hop), got ${list.length}` });
      }
    }
    if (r.counterfactual && !r.options.includes(r.counterfactual.answer_word)) {
      ctx.addIssue({ code: 'custom', path: ['counterfactual', 'answer_word'], message: `expected one of the options, got ${JSON.stringify(r.counterfactual.answer_word)}` });
    }
  });

function checkRecord(v: unknown, file: string, line: number): BenchmarkJsonRecord {
  const r = checkWith(testRecordSchema, v);
  if (r.ok) return r.value as BenchmarkJsonRecord;
  const { field, message } = r.issues[0] as FieldIssue;
  const where = field === '' ? `${file}: line ${line}` : `${file}: line ${line} field "${field}"`;
  throw new LvrError('DATASET_FORMAT', `${where}: ${message}`, { details: { file, line, field } });
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

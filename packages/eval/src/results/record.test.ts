import { describe, expect, it } from 'vitest';
import type { McqItem } from '../item.js';
import { makeResult, parseResultRecord } from './record.js';

const item: McqItem = { id: 'cvbench-2d-0', benchmark: 'cvbench', images: [], question: 'q', options: ['3', '2', '1'], answer: 'C', category: 'Count', groups: { source: 'ADE20K', type: '2D' } };
const synth: McqItem = { id: 't-1', benchmark: 'synthetic', images: [], question: 'q', options: ['red', 'blue'], answer: 'B', answerWord: 'blue', category: 'pair', pairId: 'p0' };

describe('makeResult', () => {
  it('extracts, scores and keeps the grouping keys and extra fields', () => {
    expect(makeResult(item, 'The answer is C.', { extra: { strategy: 'steps', latentSteps: 8, correct: false } })).toEqual({
      strategy: 'steps', latentSteps: 8,
      id: 'cvbench-2d-0', benchmark: 'cvbench', category: 'Count', pairId: null, groups: { source: 'ADE20K', type: '2D' },
      answer: 'C', prediction: 'The answer is C.', letter: 'C', rule: 'answer-is', correct: true,
    });
    expect(makeResult(item, 'The answer is C.', { mode: 'lvr-reference' })).toMatchObject({ letter: 'T', correct: false });
  });
  it('scores word answers and precomputed extractions', () => {
    expect(makeResult(synth, '<answer> blue </answer>', { mode: 'word' })).toMatchObject({ letter: 'B', rule: 'answer-word', correct: true, pairId: 'p0' });
    expect(makeResult(synth, 'likelihood', { extracted: { letter: 'A', rule: 'likelihood' } })).toMatchObject({ letter: 'A', correct: false });
  });
});

describe('parseResultRecord', () => {
  const ok = makeResult(item, 'C');
  it('accepts a record and names the file, line and field of a bad one', () => {
    expect(parseResultRecord(JSON.parse(JSON.stringify(ok)), { file: 'r.jsonl', line: 3 })).toEqual(ok);
    expect(() => parseResultRecord({ ...ok, correct: 'yes' }, { file: 'r.jsonl', line: 3 })).toThrow(/r\.jsonl: line 3 field "correct": expected true or false, got "yes"/);
    expect(() => parseResultRecord({ ...ok, benchmark: 'gqa' }, { file: 'r.jsonl', line: 3 })).toThrow(/field "benchmark": expected one of mmvp/);
    expect(() => parseResultRecord({ ...ok, letter: 3 }, { file: 'r.jsonl', line: 3 })).toThrow(/field "letter"/);
    expect(() => parseResultRecord([], { file: 'r.jsonl', line: 1 })).toThrow(/expected a JSON object/);
  });
});

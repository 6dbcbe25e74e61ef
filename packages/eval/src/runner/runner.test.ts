import { describe, expect, it } from 'vitest';
import { answerConstraint, chosenOption } from './answer-protocol.js';
import { derangement } from './probes.js';
import { pairedDifferenceCi } from './paired.js';
import { summarizeRecords } from './summarize.js';
import type { EvalRecord } from './evaluate.js';

const ids = { answerOpen: 50, answerClose: 51, newline: 52, lvrStart: 5, lvrLatentEnd: 7, lvrEnd: 8 };

describe('answer protocol', () => {
  it('forces the training format around the latent span and restricts the answer to the option words', () => {
    const lvr = answerConstraint('lvr', ids, [60, 61]);
    expect(lvr([])).toEqual([5]);
    expect(lvr([5, 9, 9, 7])).toEqual([8]);
    expect(lvr([5, 9, 9])).toEqual([7, 8]);
    expect(lvr([5, 9, 8])).toEqual([52]);
    expect(lvr([5, 9, 8, 52])).toEqual([50]);
    expect(lvr([5, 9, 8, 52, 50])).toEqual([60, 61]);
    expect(lvr([5, 9, 8, 52, 50, 61])).toEqual([51]);
    const sft = answerConstraint('sft', ids, [60, 61]);
    expect(sft([])).toEqual([50]);
    expect(sft([50])).toEqual([60, 61]);
    expect(chosenOption([5, 8, 52, 50, 61, 51], 50, [60, 61])).toBe(1);
    expect(chosenOption([5, 8], 50, [60, 61])).toBe(-1);
  });
});

describe('probes and summaries', () => {
  it('derangements have no fixed point', () => {
    for (const n of [2, 3, 10, 57]) {
      const p = derangement(n, 3);
      expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect([...p].every((v, i) => v !== i)).toBe(true);
    }
  });

  it('the paired drop CI is centred on the difference and tighter than the accuracies', () => {
    const a = Array.from({ length: 200 }, (_, i) => i % 4 !== 0); // 75 %
    const b = a.map((x, i) => x && i % 10 !== 1); // drops 10 % of items
    const d = pairedDifferenceCi(a, b, { seed: 1 });
    expect(d.value).toBeCloseTo(0.1, 6);
    expect(d.lo).toBeGreaterThan(0);
    expect(d.hi - d.lo).toBeLessThan(0.12);
  });

  it('summarises records per task with CIs and pair accuracy', () => {
    const rec = (id: string, category: string, correct: boolean, pairId?: string): EvalRecord => ({
      id, benchmark: 'synthetic', category, pairId, method: 'lvr', strategy: 'fixed:4', probe: 'none', answer: 'A',
      prediction: correct ? 'A' : 'B', rule: 'constrained-word', correct, text: '', latentSteps: 4, stopReasons: ['strategy'],
    });
    const row = summarizeRecords([rec('1', 'attribute', true), rec('2', 'attribute', false), rec('3', 'pair', true, 'p'), rec('4', 'pair', false, 'p')], { label: 'LVR', model: 'lvr', backend: 'tfjs-wasm' });
    expect(row.overall.value).toBe(0.5);
    expect(row.perTask.attribute!.value).toBe(0.5);
    expect(row.pair!.value).toBe(0);
    expect(row.meanLatentSteps).toBe(4);
    expect(row.overall.lo).toBeLessThanOrEqual(0.5);
  });
});

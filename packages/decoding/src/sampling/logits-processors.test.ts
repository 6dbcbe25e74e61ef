import { describe, expect, it } from 'vitest';
import {
  applyRepetitionPenalty, applyTemperature, applyTopK, applyTopP, argmax, logSoftmaxAt, softmax, suppressTokens,
} from './logits-processors.js';

const NEG = Number.NEGATIVE_INFINITY;

describe('logits processors', () => {
  it('repetition penalty divides positive and multiplies negative scores of seen tokens only (HF rule)', () => {
    const input = Float64Array.of(2, -2, 1, 0.5);
    expect([...applyRepetitionPenalty(input, [0, 1, 1], 2)]).toEqual([1, -4, 1, 0.5]);
    expect([...input]).toEqual([2, -2, 1, 0.5]); // pure
    expect([...applyRepetitionPenalty(input, [0, 1], 1)]).toEqual([2, -2, 1, 0.5]);
  });

  it('suppressTokens sets -Infinity and ignores out-of-range ids', () => {
    expect([...suppressTokens([1, 2, 3], [1, 7, -1])]).toEqual([1, NEG, 3]);
  });

  it('temperature divides every score', () => {
    expect([...applyTemperature([1, -2, 0], 0.5)]).toEqual([2, -4, 0]);
  });

  it('top-k keeps the k best and every tie with the k-th', () => {
    expect([...applyTopK([1, 3, 2, 0], 2)]).toEqual([NEG, 3, 2, NEG]);
    expect([...applyTopK([2, 2, 1], 1)]).toEqual([2, 2, NEG]);
    expect([...applyTopK([1, 3, 2], 0)]).toEqual([1, 3, 2]);
    expect([...applyTopK([1, 3, 2], 5)]).toEqual([1, 3, 2]);
  });

  it('top-p keeps the smallest head whose mass reaches p (probabilities 0.5, 0.3, 0.15, 0.05)', () => {
    const logits = [0.5, 0.3, 0.15, 0.05].map(Math.log);
    expect([...applyTopP(logits, 0.75)].map((x) => x === NEG)).toEqual([false, false, true, true]);
    expect([...applyTopP(logits, 0.85)].map((x) => x === NEG)).toEqual([false, false, false, true]);
    expect([...applyTopP(logits, 0.4)].map((x) => x === NEG)).toEqual([false, true, true, true]);
    expect([...applyTopP(logits, 1)].some((x) => x === NEG)).toBe(false);
    // order of ids does not matter
    expect([...applyTopP([Math.log(0.05), Math.log(0.5), Math.log(0.3), Math.log(0.15)], 0.75)].map((x) => x === NEG))
      .toEqual([true, false, false, true]);
  });

  it('softmax, log-softmax and argmax', () => {
    const p = softmax([0, Math.log(3), NEG]);
    expect(p[0]).toBeCloseTo(0.25, 12);
    expect(p[1]).toBeCloseTo(0.75, 12);
    expect(p[2]).toBe(0);
    expect(logSoftmaxAt([0, 0], 0)).toBeCloseTo(Math.log(0.5), 12);
    // T = 0.5: scores become [2, 0] → log(e² / (e² + 1))
    expect(logSoftmaxAt([1, 0], 0, 0.5)).toBeCloseTo(2 - Math.log(Math.exp(2) + 1), 12);
    expect(logSoftmaxAt([1000, 0], 0)).toBeCloseTo(0, 12); // stable
    expect(argmax([1, 3, 3, 2])).toBe(1);
  });
});

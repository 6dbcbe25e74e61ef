import { isLvrError } from '@lvr/core';
import { describe, expect, it } from 'vitest';
import { vocabPaddingIds } from './padding-ids.js';

describe('vocabPaddingIds', () => {
  it('lists the model rows past the tokenizer, none when the tokenizer is as large or larger', () => {
    expect(vocabPaddingIds(8, 6)).toEqual([6, 7]);
    expect(vocabPaddingIds(6, 6)).toEqual([]);
    expect(vocabPaddingIds(4, 6)).toEqual([]);
  });

  it('rejects sizes that are not integers in 0..2^24 with INVALID_ARGUMENT (no unbounded list)', () => {
    for (const [m, t] of [[2 ** 40, 10], [-1, 0], [8.5, 2], [8, Number.NaN]] as const) {
      let e: unknown;
      try { vocabPaddingIds(m, t); } catch (err) { e = err; }
      expect(isLvrError(e) && e.code === 'INVALID_ARGUMENT', `${m}, ${t}`).toBe(true);
      expect((e as Error).message).toMatch(/vocabPaddingIds: (modelVocabSize|tokenizerVocabSize) must be an integer in 0\.\.16777216/);
    }
  });
});

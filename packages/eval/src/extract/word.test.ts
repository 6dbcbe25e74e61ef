import { describe, expect, it } from 'vitest';
import { matchOptionWord, pickByLikelihood } from './word.js';

describe('matchOptionWord', () => {
  it.each([
    ['<|lvr_start|><|lvr|><|lvr_end|>\n<answer> blue </answer><|im_end|>', 'B', 'answer-word'],
    ['<answer> Red </answer>', 'A', 'answer-word'],
    ['<answer> red circle </answer>', 'A', 'answer-word'],
    ['green .', 'C', 'first-word'],
    ['left of the square', null, 'unparsed'],
    ['<answer> purple </answer>', null, 'unparsed'],
    ['', null, 'unparsed'],
  ])('%j → %s (%s)', (text, letter, rule) => {
    expect(matchOptionWord(text, ['red', 'blue', 'green'])).toEqual({ letter, rule });
  });
});

describe('pickByLikelihood', () => {
  it('picks the highest log-likelihood (the first on ties)', () => {
    expect(pickByLikelihood([-3.2, -0.4, -5.1])).toEqual({ letter: 'B', rule: 'likelihood' });
    expect(pickByLikelihood([-1, -1])).toEqual({ letter: 'A', rule: 'likelihood' });
  });
  it('rejects NaN and a count that does not match the options', () => {
    expect(() => pickByLikelihood([-1, Number.NaN])).toThrow(expect.objectContaining({ code: 'NUMERIC' }));
    expect(() => pickByLikelihood([-1, -2], 3)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

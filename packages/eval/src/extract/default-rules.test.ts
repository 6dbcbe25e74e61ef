import { describe, expect, it } from 'vitest';
import { extractDefault } from './default-rules.js';

const AB = ['Open', 'Closed'];
const ABCD = ['rubber', 'cotton', 'leather', 'paper'];

describe('extractDefault: each rule, in order', () => {
  it.each([
    // answer-tag: the LVR output format (latent span with sampled junk, tags, <|im_end|>)
    ['<|lvr_start|>A junk A<|lvr_end|>\n<answer> B </answer><|im_end|>', AB, 'B', 'answer-tag'],
    ['<answer>(C)</answer>', ABCD, 'C', 'answer-tag'],
    ['<answer> leather </answer>', ABCD, 'C', 'answer-tag'],
    ['I think A.\n<answer> D', ABCD, 'D', 'answer-tag'],
    // bare-letter
    ['B', AB, 'B', 'bare-letter'],
    ['B.', AB, 'B', 'bare-letter'],
    ['(B)', AB, 'B', 'bare-letter'],
    ['B)', AB, 'B', 'bare-letter'],
    ['  **b**  ', AB, 'B', 'bare-letter'],
    ['B.<|im_end|>', AB, 'B', 'bare-letter'],
    // answer-is
    ['The answer is B', AB, 'B', 'answer-is'],
    ['The correct answer is (D), because the glove is made of paper', ABCD, 'D', 'answer-is'],
    ['Option A looks plausible, but the answer is: C', ABCD, 'C', 'answer-is'],
    // standalone-letter
    ['I would go with B. Closed', AB, 'B', 'standalone-letter'],
    ['Looking closely - C', ABCD, 'C', 'standalone-letter'],
    // option-text
    ['They are closed.', AB, 'B', 'option-text'],
    ["It's made of leather", ABCD, 'C', 'option-text'],
    ['dark red', ['red', 'dark red'], 'B', 'option-text'],
    // unparsed
    ['It is a butterfly', AB, null, 'unparsed'],
    ['A or B?', AB, null, 'unparsed'],
    ['Blue', ABCD, null, 'unparsed'],
    ['The answer is E', ABCD, null, 'unparsed'],
    ['cotton or paper', ABCD, null, 'unparsed'],
    ['', AB, null, 'unparsed'],
    ['<answer></answer>', AB, null, 'unparsed'],
  ])('%j → %s (%s)', (text, options, letter, rule) => {
    expect(extractDefault(text, options)).toEqual({ letter, rule });
  });

  it('does not read words that merely contain an option ("opened" is not "Open")', () => {
    expect(extractDefault('The lid is opened', AB)).toEqual({ letter: null, rule: 'unparsed' });
  });

  it('known limit (as VLMEvalKit): a sentence-initial article "A" is a standalone letter', () => {
    expect(extractDefault('A dog is sitting.', ['cat', 'dog'])).toEqual({ letter: 'A', rule: 'standalone-letter' });
  });

  it('falls back to the whole reply when the answer tag decides nothing', () => {
    expect(extractDefault('The answer is B <answer> hmm </answer>', AB)).toEqual({ letter: 'B', rule: 'answer-is' });
  });
});

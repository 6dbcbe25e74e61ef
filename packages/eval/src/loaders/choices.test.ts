import { describe, expect, it } from 'vitest';
import { parseAnswerLetter, splitLetteredOptions } from './choices.js';

describe('splitLetteredOptions', () => {
  it('splits V*-style text: question, one option per line, then the instruction', () => {
    const text = "What is the material of the glove?\n(A) rubber\n(B) cotton\n(C) leather\n(D) paper\nAnswer with the option's letter from the given choices directly.";
    expect(splitLetteredOptions(text)).toEqual({
      question: 'What is the material of the glove?',
      options: ['rubber', 'cotton', 'leather', 'paper'],
      trailer: "Answer with the option's letter from the given choices directly.",
    });
  });

  it("splits MMVP's inline lowercase options and ignores letters that are not markers", () => {
    expect(splitLetteredOptions('(a) Open (b) Closed')).toEqual({ question: '', options: ['Open', 'Closed'], trailer: '' });
    expect(splitLetteredOptions('Is it (a)symmetric? (A) yes (B) no')?.options).toEqual(['yes', 'no']);
    expect(splitLetteredOptions('Pick (A) or(B)x')).toBeNull();
    expect(splitLetteredOptions('only (A) one')).toBeNull();
  });
});

describe('parseAnswerLetter', () => {
  it('accepts (A), A, (a) and a within the option count', () => {
    expect(parseAnswerLetter('(C)', 4)).toBe(2);
    expect(parseAnswerLetter(' b ', 2)).toBe(1);
    expect(parseAnswerLetter('(a)', 2)).toBe(0);
    expect(parseAnswerLetter('(e)', 2)).toBe(-1);
    expect(parseAnswerLetter('AB', 4)).toBe(-1);
    expect(parseAnswerLetter('', 4)).toBe(-1);
  });
});

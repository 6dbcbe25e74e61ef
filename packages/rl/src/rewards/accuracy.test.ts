import { describe, expect, it } from 'vitest';
import { accuracyReward, answerAccuracy, answerTagContent, choiceReward, extractChoice } from './accuracy.js';
import { strictFormat } from './format.js';

const ctx = { step: 0, logMetric: () => {}, logExtra: () => {} };

describe('accuracy rewards', () => {
  it('answer tag exact match (§9 item 21: format 1 and accuracy 1)', () => {
    const c = '<|lvr_start|>…<|lvr_end|>\n<answer>4</answer>';
    expect(answerAccuracy(c, '<answer>4</answer>')).toBe(1);
    expect(strictFormat(c) + answerAccuracy(c, '<answer>4</answer>')).toBe(2);
  });

  it('strips, is case-sensitive, uses the first tag, and falls back to the whole text', () => {
    expect(answerTagContent('<answer> red </answer><answer>blue</answer>')).toBe('red');
    expect(answerAccuracy('<answer> red </answer>', '<answer>red</answer>')).toBe(1);
    expect(answerAccuracy('<answer>Red</answer>', '<answer>red</answer>')).toBe(0);
    expect(answerAccuracy('  red ', 'red')).toBe(1);
    expect(answerAccuracy('<answer>re\nd</answer>', 'red')).toBe(0); // not DOTALL: no tag group → whole text
  });

  it('plain numbers compare by value (the math_verify stand-in), other text does not', () => {
    expect(answerAccuracy('<answer>4.0</answer>', '<answer>4</answer>')).toBe(1);
    expect(answerAccuracy('<answer>four</answer>', '<answer>4</answer>')).toBe(0);
    expect(answerAccuracy('<answer>4x</answer>', '<answer>4</answer>')).toBe(0);
  });

  it('accuracyReward compares each completion with its own sample', () => {
    const samples = [{ id: 'a', solution: '<answer>4</answer>' }, { id: 'b', solution: '<answer>5</answer>' }];
    expect(accuracyReward({ completions: ['<answer>4</answer>', '<answer>4</answer>'], samples }, ctx)).toEqual([1, 0]);
  });

  it('multiple choice: option words and letters, the reference rule otherwise, null when not multiple choice', () => {
    const options = ['red', 'blue', 'green'];
    expect(extractChoice('<answer> blue </answer>', options)).toBe('B');
    expect(extractChoice('<|lvr_start|>…<|lvr_end|>\n<answer> B </answer><|im_end|>', options)).toBe('B');
    expect(extractChoice('B.', options)).toBe('B');
    expect(extractChoice('(B)', options)).toBe('('); // §9 item 24: wrong, as in the reference
    expect(extractChoice('The answer is B', options)).toBe('T');
    expect(extractChoice('<answer></answer>', options)).toBeNull();
    const samples = [
      { id: 'q', solution: '', options, answerLetter: 'B' },
      { id: 'q', solution: '', options, answerLetter: 'B' },
      { id: 'open', solution: '<answer>4</answer>' },
    ];
    expect(choiceReward()({ completions: ['<answer> blue </answer>', '<answer> A </answer>', '4'], samples }, ctx)).toEqual([1, 0, null]);
    // an injected extractor (e.g. @lvr/eval's) replaces the built-in one
    expect(choiceReward(() => 'A')({ completions: ['x', 'y', 'z'], samples }, ctx)).toEqual([0, 0, null]);
  });
});

import { sentenceWords, suiteWords } from '@lvr/data';
import { describe, expect, it } from 'vitest';
import type { McqItem } from '../item.js';
import { REFERENCE_INSTRUCTION, buildMcqPrompt, formatOptionWords } from './prompt.js';

const Q = "Are the butterfly's wings closer to being open or closed?";
const mmvp: McqItem = {
  id: 'mmvp-1', benchmark: 'mmvp', images: [], question: Q, options: ['Open', 'Closed'], answer: 'A', category: 'mmvp',
  meta: { options_raw: '(a) Open (b) Closed' },
};
const vstarText = "What is the colour of the glove?\n(A) red\n(B) blue\nAnswer with the option's letter from the given choices directly.";
const vstar: McqItem = { id: 'vstar-0', benchmark: 'vstar', images: [], question: 'What is the colour of the glove?', options: ['red', 'blue'], answer: 'A', category: 'direct_attributes', meta: { text: vstarText } };
const blink: McqItem = { id: 'val_Counting_1', benchmark: 'blink', images: [], question: 'How many blue floats are there?', options: ['0', '3'], answer: 'B', category: 'Counting' };
const synth: McqItem = { id: 't', benchmark: 'synthetic', images: [], question: 'what colour is the small circle ?', options: ['red', 'blue', 'green'], answer: 'A', answerWord: 'red', category: 'attribute' };

describe('buildMcqPrompt', () => {
  it("reference: question, 'Options:', lettered lines and the reference instruction", () => {
    expect(buildMcqPrompt(mmvp)).toBe(`${Q}\nOptions:\nA. Open\nB. Closed\nAnswer with the option's letter from the given choices directly.`);
    expect(buildMcqPrompt(blink, { style: 'reference' })).toBe(`How many blue floats are there?\nOptions:\nA. 0\nB. 3\n${REFERENCE_INSTRUCTION}`);
  });

  it("lvr-exact: the reference evaluation's per-benchmark strings, quirks included", () => {
    expect(buildMcqPrompt(mmvp, { style: 'lvr-exact' })).toBe(`${Q}\nOptions:\nA. Open B. Closed\n${REFERENCE_INSTRUCTION}`);
    expect(buildMcqPrompt(vstar, { style: 'lvr-exact' })).toBe(`${vstarText}\n${REFERENCE_INSTRUCTION}`);
    expect(buildMcqPrompt(blink, { style: 'lvr-exact' })).toBe(`How many blue floats are there?\nOptions:\nA. 0\nB. 3\n\n${REFERENCE_INSTRUCTION}`);
    expect(buildMcqPrompt(synth, { style: 'lvr-exact' })).toBe(buildMcqPrompt(synth));
  });

  it('word: the bare question, or the option words in the suite vocabulary', () => {
    expect(buildMcqPrompt(synth, { style: 'word' })).toBe('what colour is the small circle ?');
    const listed = buildMcqPrompt(synth, { style: 'word', listOptions: true });
    expect(listed).toBe('what colour is the small circle ? options : red , blue and green');
    const vocab = new Set(suiteWords(4));
    expect(sentenceWords(listed).filter((w) => !vocab.has(w))).toEqual([]);
    expect(formatOptionWords(['left', 'right'])).toBe('left and right');
  });

  it('rejects an unknown style and a one-option item', () => {
    expect(() => buildMcqPrompt(mmvp, { style: 'fancy' as never })).toThrow(/unknown style "fancy"/);
    expect(() => buildMcqPrompt({ ...mmvp, options: ['x'] })).toThrow(/at least 2 are needed/);
  });
});

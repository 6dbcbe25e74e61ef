import { describe, expect, it } from 'vitest';
import { blinkOfficial, lmmsBlink, lmmsMmvp, lmmsVstar, lvrReference } from './compat.js';

describe('lvrReference (accuracy_reward of the LVR evaluation)', () => {
  it.each([
    ['<|lvr_start|><|lvr|><|lvr_end|>\n<answer> B </answer><|im_end|>', 'B'],
    ['B.<|im_end|>', 'B'],
    ['The answer is B', 'T'],
    ['(B)', '('],
    ['<answer>leather</answer>', 'l'],
    ['<answer> first </answer> <answer> C </answer>', 'C'],
    ['  b ', 'b'],
  ])('%j → %j', (text, letter) => {
    expect(lvrReference(text)).toEqual({ letter, rule: 'lvr-reference:first-char' });
  });
  it('an empty answer is unparsed', () => {
    expect(lvrReference('<answer>  </answer>')).toEqual({ letter: null, rule: 'unparsed' });
  });
});

describe('lmmsMmvp (case-insensitive patterns, then the first character)', () => {
  it.each([
    ['A', 'A', 'bare'],
    ['(b).', 'B', 'bare'],
    ['A answer', 'A', 'leading'],
    ['The answer is B', 'B', 'answer-is'],
    ['Option A', 'A', 'option'],
    ['It is a butterfly', 'A', 'standalone'],
    ['I pick (B)', 'B', 'standalone'],
    ['Bx', 'B', 'first-char'],
  ])('%j → %s via %s', (text, letter, rule) => {
    expect(lmmsMmvp(text)).toEqual({ letter, rule: `lmms-mmvp:${rule}` });
  });
  it('nothing → unparsed', () => {
    expect(lmmsMmvp('Closed')).toEqual({ letter: null, rule: 'unparsed' });
  });
});

describe('lmmsVstar (uppercased, leading letter first)', () => {
  it.each([
    ['Blue', 'B', 'leading'],
    ['Dog', 'D', 'leading'],
    ['The answer is C', 'C', 'answer-is'],
    ['I choose (C)', 'C', 'paren'],
    ['so it is C.', 'C', 'letter-punct'],
    ['pick c please', 'C', 'standalone'],
    ['xyzA', 'A', 'single-letter'],
  ])('%j → %s via %s', (text, letter, rule) => {
    expect(lmmsVstar(text)).toEqual({ letter, rule: `lmms-vstar:${rule}` });
  });
  it('several letters and a non-letter start → unparsed', () => {
    expect(lmmsVstar('made of leather')).toEqual({ letter: null, rule: 'unparsed' });
  });
});

describe('lmmsBlink (first letter of the reply)', () => {
  it.each([
    ['(D) 1', 'D'],
    ['A.', 'A'],
    ['  c', 'C'],
    ['The answer is B', 'T'],
  ])('%j → %s', (text, letter) => {
    expect(lmmsBlink(text)).toEqual({ letter, rule: 'lmms-blink:first-letter' });
  });
  it('no leading letter → unparsed', () => {
    expect(lmmsBlink('42')).toEqual({ letter: null, rule: 'unparsed' });
  });
});

describe('blinkOfficial (analyze_answer without the GPT fallback)', () => {
  it.each([
    ['A', 4, 'A', 'exact'],
    ['(B)', 4, 'B', 'exact'],
    ['E', 2, 'E', 'exact'],
    ['(C)', 2, 'C', 'exact'],
    ['I pick (C) because it fits', 4, 'C', 'token'],
    ['(A) and (B) look similar.\n\nFinal: (B)', 4, 'B', 'token'],
  ])('%j (%i options) → %s via %s', (text, n, letter, rule) => {
    expect(blinkOfficial(text, n)).toEqual({ letter, rule: `blink-official:${rule}` });
  });
  it.each([
    ['(B).', 4],
    ['B.', 4],
    [' A', 4],
    ['The answer is (A) or (B)', 4],
    ['I pick (C)', 2],
  ])('%j needs the judge (scored wrong)', (text, n) => {
    expect(blinkOfficial(text, n)).toEqual({ letter: null, rule: 'blink-official:needs-judge' });
  });
});

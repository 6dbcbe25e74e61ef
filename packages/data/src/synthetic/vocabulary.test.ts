import { describe, expect, it } from 'vitest';
import { cellWords, sentenceWords, suiteWords } from './vocabulary.js';

describe('vocabulary', () => {
  it('splits punctuation off sentences', () => {
    expect(sentenceWords('You are a helpful assistant.')).toEqual(['You', 'are', 'a', 'helpful', 'assistant', '.']);
    expect(sentenceWords('  a ; b?')).toEqual(['a', ';', 'b', '?']);
  });

  it('lists grid-cell words', () => {
    expect(cellWords(2)).toEqual(['x0', 'x1', 'y0', 'y1']);
  });

  it('collects every suite word once, sorted, plus extra sentences', () => {
    const words = suiteWords(4, ['You are a helpful assistant.']);
    expect(words).toEqual([...new Set(words)].sort());
    for (const w of ['circle', 'crosses', 'cyan', 'small', 'five', 'left', 'below', 'x3', 'y0', ';', '?', 'You', 'assistant']) {
      expect(words).toContain(w);
    }
    expect(words).not.toContain('x4');
  });
});

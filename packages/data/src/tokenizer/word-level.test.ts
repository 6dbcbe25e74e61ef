import { Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { LVR_TOKENS, QWEN_REQUIRED_TOKENS, SYSTEM_MESSAGE } from './special-tokens.js';
import { LvrTokenizer } from './tokenizer.js';
import { WORD_LEVEL_PUNCTUATION, createWordLevelTokenizerJson } from './word-level.js';

const WORDS = ['what', 'colour', 'is', 'the', 'small', 'circle', 'red', 'you', 'are', 'a', 'helpful', 'assistant',
  'user', 'system', 'x0', 'left', 'of', 'square', 'answer'];

describe('createWordLevelTokenizerJson', () => {
  const json = createWordLevelTokenizerJson({ words: WORDS, extraSpecialTokens: ['<answer>', '</answer>'] });
  const tok = LvrTokenizer.fromJson(json);

  it('lays out ids: Qwen tokens, <unk>, LVR tokens, extras, \\n, punctuation, sorted words', () => {
    const expectedHead = [...QWEN_REQUIRED_TOKENS, '<unk>', ...LVR_TOKENS, '<answer>', '</answer>', '\n', ...WORD_LEVEL_PUNCTUATION];
    expectedHead.forEach((t, id) => expect(tok.tokenToId(t)).toBe(id));
    const sorted = [...new Set([...WORDS, 'system', 'user', 'assistant'])].sort();
    sorted.forEach((w, k) => expect(tok.tokenToId(w)).toBe(expectedHead.length + k));
    expect(tok.vocabSize).toBe(expectedHead.length + sorted.length);
    expect(tok.requireLvr()).toEqual({ lvrStart: 8, lvr: 9, lvrLatentEnd: 10, lvrEnd: 11 });
  });

  it('loads in @huggingface/tokenizers directly (WordPiece, whole words only)', () => {
    const raw = new Tokenizer(json, {});
    expect(raw.tokenize('what colour?')).toEqual(['what', 'colour', '?']);
  });

  it('makes "\\n" and punctuation their own tokens and round-trips the chat format exactly', () => {
    const text = `<|im_start|>system\n${SYSTEM_MESSAGE.toLowerCase()}<|im_end|>\n<|im_start|>user\n<|vision_start|>` +
      '<|image_pad|><|image_pad|><|vision_end|>what colour is the small circle?<|im_end|>\n<|im_start|>assistant\n' +
      '<|lvr_start|><|lvr|><|lvr_latent_end|><|lvr_end|>\n<answer> red </answer><|im_end|>\n';
    const ids = tok.encode(text);
    expect(ids).not.toContain(tok.tokenToId('<unk>'));
    const nl = tok.tokenToId('\n', { required: true });
    expect(ids.filter((i) => i === nl)).toHaveLength(7);
    expect(tok.decode(ids)).toBe(text);
    expect(tok.encode('(x0): a, b; c!').map((i) => tok.idToToken(i)))
      .toEqual(['(', 'x0', ')', ':', 'a', ',', '<unk>', ';', '<unk>', '!']);
    expect(tok.decode(tok.encode('is (x0) left of the square? a ; red.'))).toBe('is (x0) left of the square? a ; red.');
    expect(tok.decode(tok.encode('what\n\nis'))).toBe('what\n\nis');
  });

  it('lower-cases by default, so the default system prompt has no unknown words', () => {
    const ids = tok.encode(SYSTEM_MESSAGE);
    expect(ids.map((i) => tok.idToToken(i))).toEqual(['you', 'are', 'a', 'helpful', 'assistant', '.']);
    expect(tok.decode(ids)).toBe('you are a helpful assistant.');
  });

  it('maps unknown words to <unk>, never dropping them (also words sharing a known prefix)', () => {
    const unk = tok.tokenToId('<unk>');
    expect(tok.encode('reddish zebra red')).toEqual([unk, unk, tok.tokenToId('red')]);
    expect(tok.decode(tok.encode('reddish red'), { skipSpecialTokens: true })).toBe('red');
  });

  it('keeps case when lowercase is false', () => {
    const cased = LvrTokenizer.fromJson(createWordLevelTokenizerJson({ words: ['You', 'you', 'A'], lowercase: false }));
    expect(cased.encode('You you A a').map((i) => cased.idToToken(i))).toEqual(['You', 'you', 'A', '<unk>']);
  });

  it('dedupes words, ignores words equal to built-in tokens and accepts single punctuation words', () => {
    const j = createWordLevelTokenizerJson({ words: ['b', 'a', 'b', 'A', '?', '#'], extraSpecialTokens: ['<x>', '<x>', '<|lvr|>'] });
    const t = LvrTokenizer.fromJson(j);
    const base = QWEN_REQUIRED_TOKENS.length + 1 + LVR_TOKENS.length;
    expect(t.tokenToId('<x>')).toBe(base);
    expect(t.tokenToId('\n')).toBe(base + 1);
    // remaining words (plus the chat role words) sorted: '#', 'a', 'assistant', 'b', 'system', 'user'
    const first = base + 2 + WORD_LEVEL_PUNCTUATION.length;
    expect(['#', 'a', 'assistant', 'b', 'system', 'user'].map((w) => t.tokenToId(w))).toEqual([0, 1, 2, 3, 4, 5].map((k) => first + k));
    expect(t.vocabSize).toBe(first + 6);
    expect(t.encode('a#b').map((i) => t.idToToken(i))).toEqual(['a', '#', 'b']);
  });

  it('rejects words that are not one pre-token, and bad special tokens', () => {
    for (const bad of ['two words', "don't", '<answer>', 'a\nb', '']) {
      try {
        createWordLevelTokenizerJson({ words: ['ok', bad] });
        expect.unreachable(bad);
      } catch (e) {
        expect(isLvrError(e) && e.code).toBe('INVALID_ARGUMENT');
        expect((e as Error).message).toContain('words[1]');
      }
    }
    expect(() => createWordLevelTokenizerJson({ words: [], extraSpecialTokens: [''] })).toThrow(/extraSpecialTokens\[0\]/);
  });
});

import { describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { addLivrLatentTokens, addLvrTokens, addSpecialTokens } from './add-tokens.js';
import type { AddedTokenJson } from './add-tokens.js';
import { createQwenLikeTokenizerJson } from './qwen-like.js';
import { LVR_TOKENS, QWEN_BASE_TOKEN_IDS } from './special-tokens.js';
import { LvrTokenizer } from './tokenizer.js';
import { createWordLevelTokenizerJson } from './word-level.js';

const added = (json: Record<string, unknown>): AddedTokenJson[] => json['added_tokens'] as AddedTokenJson[];

describe('addLvrTokens (§9 item 1)', () => {
  it('gives the four LVR tokens ids 151665..151668 in reference order on a Qwen-shaped tokenizer', () => {
    const base = createQwenLikeTokenizerJson();
    const baseTok = LvrTokenizer.fromJson(base);
    expect(baseTok.vocabSize).toBe(151665);
    expect(baseTok.special.imagePad).toBe(QWEN_BASE_TOKEN_IDS['<|image_pad|>']);
    expect(baseTok.special.lvr).toBeUndefined();

    const tok = LvrTokenizer.fromJson(addLvrTokens(base));
    expect(LVR_TOKENS.map((t) => tok.tokenToId(t))).toEqual([151665, 151666, 151667, 151668]);
    expect(tok.requireLvr()).toEqual({ lvrStart: 151665, lvr: 151666, lvrLatentEnd: 151667, lvrEnd: 151668 });
    expect(tok.vocabSize).toBe(151669);
    // added as special tokens: matched verbatim, dropped by skipSpecialTokens
    expect(tok.encode('<|lvr_start|><|lvr|><|lvr|><|lvr_latent_end|><|lvr_end|>')).toEqual([151665, 151666, 151666, 151667, 151668]);
    expect(tok.decode(tok.encode('a<|lvr|>b'), { skipSpecialTokens: true })).toBe('ab');
    const entry = added(addLvrTokens(base)).find((t) => t.content === '<|lvr|>');
    expect(entry).toMatchObject({ special: true, normalized: false, lstrip: false, rstrip: false, single_word: false });
  });

  it('is idempotent and does not modify its input', () => {
    const base = createQwenLikeTokenizerJson();
    const before = JSON.stringify(base);
    const once = addLvrTokens(base);
    expect(JSON.stringify(base)).toBe(before);
    const twice = addLvrTokens(once);
    expect(added(twice)).toEqual(added(once));
    // a mix of present and new tokens: present keep their ids, new ones continue after the max
    const more = addSpecialTokens(once, ['<|lvr|>', '<extra>', '<|lvr_start|>', '<extra2>']);
    const tok = LvrTokenizer.fromJson(more);
    expect(tok.tokenToId('<|lvr|>')).toBe(151666);
    expect(tok.tokenToId('<extra>')).toBe(151669);
    expect(tok.tokenToId('<extra2>')).toBe(151670);
  });

  it('registers an ordinary vocabulary token with its vocabulary id', () => {
    const json = createWordLevelTokenizerJson({ words: ['zebra', 'apple'] });
    const vocab = (json['model'] as { vocab: Record<string, number> }).vocab;
    const out = addSpecialTokens(json, ['zebra']);
    expect(added(out).find((t) => t.content === 'zebra')?.id).toBe(vocab['zebra']);
    expect(added(out).length).toBe(added(json).length + 1);
  });

  it('takes the max over model vocab and added tokens (Unigram array vocab too)', () => {
    const unigram = {
      added_tokens: [{ id: 2, content: '<s>', special: true, normalized: false, lstrip: false, rstrip: false, single_word: false }],
      model: { type: 'Unigram', vocab: [['a', 0], ['b', -1], ['c', -2], ['d', -3], ['e', -4]] },
    };
    expect(added(addSpecialTokens(unigram, ['<x>'])).at(-1)?.id).toBe(5);
  });

  it('adds K LIVR latent tokens', () => {
    const tok = LvrTokenizer.fromJson(addLivrLatentTokens(addLvrTokens(createQwenLikeTokenizerJson()), 4));
    expect(tok.special.livrLatents).toEqual([151669, 151670, 151671, 151672]);
    expect(tok.tokenToId('<|latent_3|>')).toBe(151672);
    expect(tok.requireLivrLatents(2)).toEqual([151669, 151670]);
  });

  it('rejects bad input with LvrError', () => {
    const base = createQwenLikeTokenizerJson();
    expect(() => addSpecialTokens(base, [''])).toThrow(/tokens\[0\]/);
    expect(() => addLivrLatentTokens(base, 0)).toThrow(/positive integer/);
    expect(() => addSpecialTokens({ model: { type: 'BPE' } }, ['x'])).toThrow(/model\.vocab/);
    try {
      addSpecialTokens({ added_tokens: [{ content: 3 }], model: { vocab: {} } }, ['x']);
      expect.unreachable();
    } catch (e) {
      expect(isLvrError(e) && e.code).toBe('TOKENIZER');
      expect((e as Error).message).toMatch(/added_tokens\[0\]/);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { addLivrLatentTokens, addLvrTokens } from '../tokenizer/add-tokens.js';
import { createQwenLikeTokenizerJson } from '../tokenizer/qwen-like.js';
import { IGNORE_INDEX } from '../tokenizer/special-tokens.js';
import { LvrTokenizer } from '../tokenizer/tokenizer.js';
import { createWordLevelTokenizerJson } from '../tokenizer/word-level.js';
import { buildLivrSequence } from './livr-sequence.js';

const qwen = LvrTokenizer.fromJson(addLivrLatentTokens(addLvrTokens(createQwenLikeTokenizerJson()), 16));

describe('buildLivrSequence', () => {
  it('places the K latents right after the question and supervises only answer + <|im_end|>', () => {
    const seq = buildLivrSequence({ tokenizer: qwen, question: '<image>\nWhich colour?', answer: 'red', imageTokenCounts: [4], numLatents: 3 });
    const latents = qwen.requireLivrLatents(3);
    const expected = '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n<|vision_start|>' +
      '<|image_pad|>'.repeat(4) + '<|vision_end|>Which colour?<|latent_0|><|latent_1|><|latent_2|><|im_end|>\n' +
      '<|im_start|>assistant\nred<|im_end|>\n';
    expect(qwen.decode(seq.inputIds)).toBe(expected);
    const { spans } = seq;
    const L = seq.inputIds.length;
    expect(Array.from(seq.inputIds.subarray(spans.latents.start, spans.latents.end))).toEqual(latents);
    expect(seq.inputIds[spans.latents.end]).toBe(qwen.special.imEnd);
    expect(spans.prompt).toEqual({ start: 0, end: spans.latents.start });
    expect(spans.answer).toEqual({ start: spans.latents.end, end: L });
    expect(spans.images).toEqual(seq.imageSpans);
    expect(spans.images).toEqual([{ start: Array.from(seq.inputIds).indexOf(qwen.special.imagePad), length: 4 }]);
    // target = 'red' + <|im_end|>; the trailing '\n' and everything before are IGNORE
    expect(qwen.decode(seq.inputIds.subarray(spans.target.start, spans.target.end))).toBe('red<|im_end|>');
    expect(spans.target.end).toBe(L - 1);
    for (let t = 0; t < L; t++) {
      const inTarget = t >= spans.target.start && t < spans.target.end;
      expect(seq.labels[t]).toBe(inTarget ? seq.inputIds[t] : IGNORE_INDEX);
    }
  });

  it('defaults to K = 16 and supports several images and K = 0', () => {
    const seq = buildLivrSequence({ tokenizer: qwen, question: '<image><image>\nSame?', answer: 'yes', imageTokenCounts: [2, 3] });
    expect(seq.spans.latents.end - seq.spans.latents.start).toBe(16);
    expect(seq.imageSpans.map((s) => s.length)).toEqual([2, 3]);
    const none = buildLivrSequence({ tokenizer: qwen, question: 'Q?', answer: 'A', imageTokenCounts: [], numLatents: 0 });
    expect(none.spans.latents.start).toBe(none.spans.latents.end);
    expect(none.inputIds[none.spans.latents.start]).toBe(qwen.special.imEnd);
  });

  it('works with a word-level tokenizer', () => {
    const json = addLivrLatentTokens(createWordLevelTokenizerJson({ words: ['you', 'are', 'a', 'helpful', 'assistant', 'red', 'which', 'colour'] }), 4);
    const tok = LvrTokenizer.fromJson(json);
    const seq = buildLivrSequence({ tokenizer: tok, question: '<image>\nwhich colour?', answer: 'red', imageTokenCounts: [2], numLatents: 4 });
    expect(Array.from(seq.inputIds)).not.toContain(tok.tokenToId('<unk>'));
    expect(tok.decode(seq.inputIds.subarray(seq.spans.latents.start, seq.spans.latents.end))).toBe('<|latent_0|><|latent_1|><|latent_2|><|latent_3|>');
  });

  it('rejects missing latent tokens, placeholder mismatches and literal special tokens', () => {
    const noLatents = LvrTokenizer.fromJson(createQwenLikeTokenizerJson());
    expect(() => buildLivrSequence({ tokenizer: noLatents, question: 'Q', answer: 'A', imageTokenCounts: [] }))
      .toThrow(/addLivrLatentTokens\(tokenizerJson, 16\)/);
    expect(() => buildLivrSequence({ tokenizer: qwen, question: '<image>', answer: 'A', imageTokenCounts: [], where: 'test.jsonl:4' }))
      .toThrow(/test\.jsonl:4: 1 <image> placeholder/);
    expect(() => buildLivrSequence({ tokenizer: qwen, question: 'Q<|latent_0|>', answer: 'A', imageTokenCounts: [], numLatents: 2 }))
      .toThrow(/literal image or latent special tokens/);
    expect(() => buildLivrSequence({ tokenizer: qwen, question: 'Q', answer: '<|image_pad|>', imageTokenCounts: [] }))
      .toThrow(/literal image or latent special tokens/);
    expect(() => buildLivrSequence({ tokenizer: qwen, question: '<image>', answer: 'A', imageTokenCounts: [1.5] }))
      .toThrow(/positive integer/);
  });
});

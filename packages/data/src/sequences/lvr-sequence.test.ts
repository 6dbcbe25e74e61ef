import { describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { addLvrTokens } from '../tokenizer/add-tokens.js';
import { createQwenLikeTokenizerJson } from '../tokenizer/qwen-like.js';
import { IGNORE_INDEX } from '../tokenizer/special-tokens.js';
import { LvrTokenizer } from '../tokenizer/tokenizer.js';
import { createWordLevelTokenizerJson } from '../tokenizer/word-level.js';
import { buildLvrSftSequence } from './lvr-sequence.js';
import type { LvrSftSequenceOptions } from './lvr-sequence.js';

const qwen = LvrTokenizer.fromJson(addLvrTokens(createQwenLikeTokenizerJson()));
const SYS = '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n';
const README = [
  { from: 'human', value: '<image>\nCan you describe the child?\nProvide a short and direct response.' },
  { from: 'gpt', value: '<lvr>\n<answer> The child is playing </answer>' },
];

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isLvrError(e) ? e.code : 'not-an-LvrError';
  }
  return undefined;
}

const build = (conv: typeof README, o: Partial<LvrSftSequenceOptions> = {}) =>
  buildLvrSftSequence(conv, { tokenizer: qwen, imageTokenCounts: [4], lvrGroups: [[0, 1, 3]], ...o });

describe('buildLvrSftSequence', () => {
  it('reproduces the reference sequence for the README example (§9 items 2 and 3)', () => {
    const seq = build(README);
    const expected = SYS +
      '<|im_start|>user\n<|vision_start|>' + '<|image_pad|>'.repeat(4) + '<|vision_end|>Can you describe the child?\n' +
      'Provide a short and direct response.<|im_end|>\n<|im_start|>assistant\n' +
      '<|lvr_start|><|lvr|><|lvr|><|lvr|><|lvr_latent_end|><|lvr_end|>\n<answer> The child is playing </answer><|im_end|>\n';
    expect(qwen.decode(seq.inputIds)).toBe(expected);
    expect(seq.inputIds).toBeInstanceOf(Int32Array);
    expect(seq.labels).toHaveLength(seq.inputIds.length);
    const ids = Array.from(seq.inputIds);
    const firstPad = ids.indexOf(qwen.special.imagePad);
    expect(seq.imageSpans).toEqual([{ start: firstPad, length: 4 }]);
    const lvrStart = ids.indexOf(qwen.requireLvr().lvrStart);
    expect(seq.lvrPositions).toEqual([lvrStart + 1, lvrStart + 2, lvrStart + 3]);
    expect(seq.lvrSpans).toEqual([{ start: lvrStart + 1, length: 3 }]);
    expect(seq.lvrGroups).toEqual([[0, 1, 3]]);
  });

  it('supervises only the assistant chunk, with <|lvr|> targets IGNORE (§9 item 4)', () => {
    const seq = build(README);
    const lvr = qwen.requireLvr();
    const ids = Array.from(seq.inputIds);
    const labels = Array.from(seq.labels);
    const responseStart = ids.indexOf(lvr.lvrStart);
    // system + prompt chunks: all IGNORE
    expect(labels.slice(0, responseStart).every((l) => l === IGNORE_INDEX)).toBe(true);
    // response chunk: labels = ids except <|lvr|>
    for (let t = responseStart; t < ids.length; t++) {
      expect(labels[t]).toBe(ids[t] === lvr.lvr ? IGNORE_INDEX : ids[t]);
    }
    expect(labels.at(-2)).toBe(qwen.special.imEnd);
    expect(labels.at(-1)).toBe(qwen.encode('\n')[0]);
    // after the model's shift (position t predicts labels[t + 1]):
    const targets = labels.slice(1);
    expect(targets).toContain(lvr.lvrStart);
    expect(targets).toContain(lvr.lvrLatentEnd);
    expect(targets).toContain(lvr.lvrEnd);
    expect(targets).not.toContain(lvr.lvr);
    // positions whose next token is <|lvr|> (the <|lvr_start|> and the first T-1 <|lvr|>) get no CE
    for (const p of seq.lvrPositions) expect(targets[p - 1]).toBe(IGNORE_INDEX);
    // the last <|lvr|> position predicts <|lvr_latent_end|>
    expect(targets[seq.lvrPositions.at(-1) as number]).toBe(lvr.lvrLatentEnd);
  });

  it('drops the assistant text before the first <lvr> by default (reference), or keeps it', () => {
    const conv = [README[0]!, { from: 'gpt', value: 'Let me look.<lvr>\n<answer> A </answer>' }];
    const dropped = qwen.decode(build(conv).inputIds);
    expect(dropped).not.toContain('Let me look.');
    expect(dropped).toContain('assistant\n<|lvr_start|>');
    const kept = qwen.decode(build(conv, { dropTextBeforeFirstLvr: false }).inputIds);
    expect(kept).toContain('assistant\nLet me look.<|lvr_start|>');
  });

  it('omits <|lvr_latent_end|> when latentEndToken is false', () => {
    const text = qwen.decode(build(README, { latentEndToken: false }).inputIds);
    expect(text).toContain('<|lvr_start|><|lvr|><|lvr|><|lvr|><|lvr_end|>\n<answer>');
    expect(text).not.toContain('<|lvr_latent_end|>');
  });

  it('handles an empty ROI group: <|lvr_start|> directly followed by the end tokens', () => {
    const seq = build(README, { lvrGroups: [[]] });
    expect(qwen.decode(seq.inputIds)).toContain('assistant\n<|lvr_start|><|lvr_latent_end|><|lvr_end|>\n<answer>');
    expect(seq.lvrPositions).toEqual([]);
    expect(seq.lvrGroups).toEqual([[]]);
    const start = Array.from(seq.inputIds).indexOf(qwen.requireLvr().lvrStart);
    expect(seq.lvrSpans).toEqual([{ start: start + 1, length: 0 }]);
    const noEnd = build(README, { lvrGroups: [[]], latentEndToken: false });
    expect(qwen.decode(noEnd.inputIds)).toContain('<|lvr_start|><|lvr_end|>\n');
  });

  it('fixed-K variant: K <|lvr|> tokens, groups truncated or repeated cyclically', () => {
    const short = build(README, { fixedLatentCount: 5, imageTokenCounts: [16], lvrGroups: [[2, 7, 9]] });
    expect(short.lvrPositions).toHaveLength(5);
    expect(short.lvrGroups).toEqual([[2, 7, 9, 2, 7]]);
    const long = build(README, { fixedLatentCount: 2, imageTokenCounts: [16], lvrGroups: [[2, 7, 9]] });
    expect(long.lvrGroups).toEqual([[2, 7]]);
    expect(qwen.decode(long.inputIds)).toContain('<|lvr_start|><|lvr|><|lvr|><|lvr_latent_end|><|lvr_end|>');
    expect(() => build(README, { fixedLatentCount: 2, lvrGroups: [[]] })).toThrow(/empty and cannot fill 2 fixed latent slots/);
    expect(codeOf(() => build(README, { fixedLatentCount: 0 }))).toBe('INVALID_ARGUMENT');
  });

  it('consumes images and groups in order over multi-turn conversations', () => {
    const conv = [
      { from: 'human', value: '<image>\nFirst?' },
      { from: 'gpt', value: '<lvr>\n<answer> A </answer>' },
      { from: 'human', value: 'Second? <image>' },
      { from: 'gpt', value: '<lvr>\nfoo<lvr>\n<answer> B </answer>' },
    ];
    const seq = build(conv, { imageTokenCounts: [4, 2], lvrGroups: [[0], [1, 2], [3]] });
    expect(seq.imageSpans.map((s) => s.length)).toEqual([4, 2]);
    expect(seq.lvrSpans.map((s) => s.length)).toEqual([1, 2, 1]);
    expect(seq.lvrGroups.flat()).toHaveLength(seq.lvrPositions.length);
    expect(seq.lvrPositions).toEqual([...seq.lvrPositions].sort((a, b) => a - b));
    // the second prompt is IGNORE, its response supervised
    const text = qwen.decode(seq.inputIds);
    expect(text).toContain('<|im_start|>user\nSecond? <|vision_start|><|image_pad|><|image_pad|><|vision_end|><|im_end|>');
  });

  it('works with the word-level tokenizer without unknown words', () => {
    const words = 'you are a helpful assistant can describe the child provide short and direct response is playing'.split(' ');
    const tok = LvrTokenizer.fromJson(createWordLevelTokenizerJson({ words, extraSpecialTokens: ['<answer>', '</answer>'] }));
    const seq = buildLvrSftSequence(README, { tokenizer: tok, imageTokenCounts: [4], lvrGroups: [[1, 2]] });
    expect(Array.from(seq.inputIds)).not.toContain(tok.tokenToId('<unk>'));
    expect(tok.decode(seq.inputIds)).toContain('<|im_start|>assistant\n<|lvr_start|><|lvr|><|lvr|><|lvr_latent_end|><|lvr_end|>\n' +
      '<answer> the child is playing </answer><|im_end|>\n');
    expect(seq.lvrPositions).toHaveLength(2);
  });

  it('rejects mismatched placeholders and inconsistent input with LvrError', () => {
    const where = 'train.json[3]';
    expect(() => build(README, { lvrGroups: [[0], [1]], where })).toThrow(/train\.json\[3\]: 1 <image> and 1 <lvr> placeholder\(s\), but 1 image token count\(s\) and 2 ROI group\(s\)/);
    expect(codeOf(() => build(README, { lvrGroups: [] }))).toBe('DATASET_FORMAT');
    expect(codeOf(() => build(README, { imageTokenCounts: [] }))).toBe('DATASET_FORMAT');
    expect(codeOf(() => build(README, { imageTokenCounts: [4, 4] }))).toBe('DATASET_FORMAT');
    expect(codeOf(() => build(README, { imageTokenCounts: [0] }))).toBe('INVALID_ARGUMENT');
    expect(() => build(README, { lvrGroups: [[4]] })).toThrow(/ROI index 4 outside the first image's 4 LLM tokens/);
    expect(() => build([README[0]!, { from: 'gpt', value: '<lvr><image>' }], { imageTokenCounts: [4, 1] }))
      .toThrow(/only supported in user messages/);
    expect(() => build([{ from: 'human', value: '<image><|image_pad|>' }, README[1]!])).toThrow(/literal image or LVR special tokens/);
    expect(() => build([README[0]!, { from: 'gpt', value: '<lvr>\n<|lvr|>' }])).toThrow(/literal image or LVR special tokens/);
    const noLvr = LvrTokenizer.fromJson(createQwenLikeTokenizerJson());
    expect(() => buildLvrSftSequence(README, { tokenizer: noLvr, imageTokenCounts: [4], lvrGroups: [[0]] })).toThrow(/addLvrTokens/);
  });
});

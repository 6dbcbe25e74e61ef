import { describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import {
  countPlaceholders,
  expandImagePlaceholders,
  expandLvrPlaceholders,
  normalizeConversation,
  promptChunk,
  responseChunk,
  systemChunk,
} from './chat.js';

describe('chat format', () => {
  it('builds the three chunk kinds of the reference', () => {
    expect(systemChunk('You are a helpful assistant.')).toBe('<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n');
    expect(promptChunk('Q?')).toBe('<|im_start|>user\nQ?<|im_end|>\n<|im_start|>assistant\n');
    expect(responseChunk('A')).toBe('A<|im_end|>\n');
  });

  it('normalizes LLaVA and OpenAI roles and rejects malformed conversations', () => {
    expect(normalizeConversation([{ from: 'human', value: 'q' }, { role: 'assistant', content: 'a' }])).toEqual([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a' },
    ]);
    const bad: unknown[][] = [[], [{ from: 'human', value: 'q' }], [{ from: 'gpt', value: 'a' }, { from: 'human', value: 'q' }],
      [{ from: 'human', value: 'q' }, { from: 'gpt', value: 3 }]];
    for (const turns of bad) {
      try {
        normalizeConversation(turns as never, 'train.json[7].conversations');
        expect.unreachable();
      } catch (e) {
        expect(isLvrError(e) && e.code).toBe('DATASET_FORMAT');
        expect((e as Error).message).toContain('train.json[7].conversations');
      }
    }
  });

  it('expands <image> with its optional surrounding newlines (§9 item 2)', () => {
    expect(expandImagePlaceholders('<image>\nQ?', [1])).toBe('<|vision_start|><|image_pad|><|vision_end|>Q?');
    expect(expandImagePlaceholders('A\n<image>\nB<image>C', [2, 1])).toBe(
      'A<|vision_start|><|image_pad|><|image_pad|><|vision_end|>B<|vision_start|><|image_pad|><|vision_end|>C');
    expect(expandImagePlaceholders('no image', [])).toBe('no image');
    expect(() => expandImagePlaceholders('<image><image>', [4], 'rec 3')).toThrow(/rec 3: 2 <image> placeholder\(s\) but 1 image/);
  });

  it('expands <lvr> like the reference (§9 item 3)', () => {
    expect(expandLvrPlaceholders('<lvr>\n<answer> X </answer>', [3])).toBe(
      '<|lvr_start|><|lvr|><|lvr|><|lvr|><|lvr_latent_end|><|lvr_end|>\n<answer> X </answer>');
    expect(expandLvrPlaceholders('<lvr>\nX', [2], { latentEndToken: false })).toBe('<|lvr_start|><|lvr|><|lvr|><|lvr_end|>\nX');
    // text before the first <lvr> is dropped unless asked otherwise
    expect(expandLvrPlaceholders('Look: <lvr>\nX<lvr>Y', [1, 0])).toBe(
      '<|lvr_start|><|lvr|><|lvr_latent_end|><|lvr_end|>\nX<|lvr_start|><|lvr_latent_end|><|lvr_end|>Y');
    expect(expandLvrPlaceholders('Look: <lvr>X', [0], { dropTextBeforeFirst: false })).toBe('Look: <|lvr_start|><|lvr_latent_end|><|lvr_end|>X');
    expect(expandLvrPlaceholders('plain text', [])).toBe('plain text');
    expect(() => expandLvrPlaceholders('<lvr><lvr>', [1])).toThrow(/2 <lvr> placeholder\(s\) but 1 ROI group/);
    expect(countPlaceholders('<lvr>a<lvr>', '<lvr>')).toBe(2);
  });
});

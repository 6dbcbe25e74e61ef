import { describe, expect, it } from 'vitest';
import { buildRolloutPrompt } from './prompts.js';

describe('buildRolloutPrompt', () => {
  it('the reference GRPO layout: system, then the image block right before the question, then the assistant header', () => {
    let seen = '';
    const ids = buildRolloutPrompt({ encode: (t) => { seen = t; return [7, 8]; } }, { question: 'How many circles?', imageTokenCounts: [2] });
    expect(Array.from(ids)).toEqual([7, 8]);
    expect(seen).toBe('<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n' +
      '<|vision_start|><|image_pad|><|image_pad|><|vision_end|>How many circles?<|im_end|>\n<|im_start|>assistant\n');
  });

  it('rejects empty questions and <image> placeholders', () => {
    const enc = { encode: () => [1] };
    expect(() => buildRolloutPrompt(enc, { question: ' ', imageTokenCounts: [] })).toThrow(/empty/);
    expect(() => buildRolloutPrompt(enc, { question: '<image>\nQ', imageTokenCounts: [1] })).toThrow(/<image>/);
  });
});

import { LvrError } from '@lvr/core';
import { IMAGE_PLACEHOLDER, SYSTEM_MESSAGE, renderChatPrompt } from '@lvr/data';

/** The part of a tokenizer the prompt builder needs (`LvrTokenizer` fits). */
export interface PromptEncoder {
  encode(text: string): number[];
  /** The model folder's Jinja chat template (`LvrTokenizer.chatTemplate`); absent = the default ChatML one. */
  readonly chatTemplate?: string | undefined;
}

/** Options of {@link buildRolloutPrompt}. */
export interface RolloutPromptOptions {
  /** The question without image placeholders (GRPO records have `<image>` removed). */
  question: string;
  /** LLM tokens of each image, in order (t·h·w / merge² of its grid); the images precede the question. */
  imageTokenCounts: readonly number[];
  /** Default "You are a helpful assistant." (the reference's GRPO prompt). */
  systemMessage?: string;
}

/**
 * The rollout prompt ids, rendered through the tokenizer's chat template; the default template gives the reference's GRPO layout (lvr-reference.md §5.3 item 1):
 * `<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n` + per image `<|vision_start|><|image_pad|>×n<|vision_end|>`
 * + `{question}<|im_end|>\n<|im_start|>assistant\n`. No LVR instruction is added.
 *
 * @example
 * const ids = buildRolloutPrompt(tokenizer, { question: 'what colour is the small circle ?', imageTokenCounts: [16] });
 */
export function buildRolloutPrompt(tokenizer: PromptEncoder, o: RolloutPromptOptions): Int32Array {
  if (typeof o.question !== 'string' || o.question.trim().length === 0) {
    throw new LvrError('INVALID_ARGUMENT', 'buildRolloutPrompt: the question is empty');
  }
  if (o.question.includes(IMAGE_PLACEHOLDER)) {
    throw new LvrError('INVALID_ARGUMENT', `buildRolloutPrompt: the question must not contain ${IMAGE_PLACEHOLDER} (images always come first)`);
  }
  const text = renderChatPrompt({
    user: IMAGE_PLACEHOLDER.repeat(o.imageTokenCounts.length) + o.question, imageTokenCounts: o.imageTokenCounts,
    systemMessage: o.systemMessage ?? SYSTEM_MESSAGE, template: tokenizer.chatTemplate, where: 'tokenizer_config.json',
  });
  return Int32Array.from(tokenizer.encode(text));
}

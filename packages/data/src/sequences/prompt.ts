import { LvrError } from '@lvr/core';
import type { LvrTokenizer } from '../tokenizer/tokenizer.js';
import { SYSTEM_MESSAGE, livrLatentTokens } from '../tokenizer/special-tokens.js';
import { renderChatPrompt } from './chat-template.js';

/** Options of {@link buildPromptIds}. */
export interface PromptIdsOptions {
  tokenizer: LvrTokenizer;
  /** The user turn, with `<image>` placeholders (e.g. `"<image>\nwhat colour is the small circle ?"`). */
  question: string;
  /** LLM tokens per image, in placeholder order. */
  imageTokenCounts: readonly number[];
  /** LIVR: append the K latent tokens to the question, as `buildLivrSequence` does (0 / omitted: none). */
  numLatents?: number;
  /** System prompt (default "You are a helpful assistant."). */
  systemMessage?: string;
}

/**
 * The inference prompt — system chunk, user turn, `<|im_start|>assistant\n` — rendered through the tokenizer's
 * chat template (`tokenizer_config.json`, else the default ChatML one) and tokenized; with the default template it
 * is exactly the training sequences' prefix (`buildLvrSftSequence` for SFT / LVR, `buildLivrSequence` with `numLatents` for
 * LIVR), so generation starts from the same context the model was trained on.
 *
 * @example
 * const ids = buildPromptIds({ tokenizer, question: '<image>\nwhat colour is the small circle ?', imageTokenCounts: [16] });
 */
export function buildPromptIds(o: PromptIdsOptions): Int32Array {
  const k = o.numLatents ?? 0;
  if (!Number.isInteger(k) || k < 0) throw new LvrError('INVALID_ARGUMENT', `buildPromptIds: numLatents must be a non-negative integer, got ${k}`);
  if (k > 0) o.tokenizer.requireLivrLatents(k);
  // LIVR's K latent tokens close the user turn (as buildLivrSequence places them).
  const text = renderChatPrompt({
    user: k > 0 ? `${o.question}${livrLatentTokens(k).join('')}` : o.question, imageTokenCounts: o.imageTokenCounts,
    systemMessage: o.systemMessage ?? SYSTEM_MESSAGE, template: o.tokenizer.chatTemplate, where: 'tokenizer_config.json',
  });
  return Int32Array.from(o.tokenizer.encode(text));
}

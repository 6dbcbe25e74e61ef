import { LvrError } from '@lvr/core';
import type { LvrTokenizer } from '../tokenizer/tokenizer.js';
import { IM_END_TOKEN, IM_START_TOKEN, SYSTEM_MESSAGE, livrLatentTokens } from '../tokenizer/special-tokens.js';
import { expandImagePlaceholders, promptChunk, systemChunk } from './chat.js';

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
 * The inference prompt — system chunk, user turn, `<|im_start|>assistant\n` — tokenized exactly as the
 * training sequences' prefix (`buildLvrSftSequence` for SFT / LVR, `buildLivrSequence` with `numLatents` for
 * LIVR), so generation starts from the same context the model was trained on.
 *
 * @example
 * const ids = buildPromptIds({ tokenizer, question: '<image>\nwhat colour is the small circle ?', imageTokenCounts: [16] });
 */
export function buildPromptIds(o: PromptIdsOptions): Int32Array {
  const question = expandImagePlaceholders(o.question, o.imageTokenCounts, 'question');
  const system = o.tokenizer.encode(systemChunk(o.systemMessage ?? SYSTEM_MESSAGE));
  const k = o.numLatents ?? 0;
  if (!Number.isInteger(k) || k < 0) throw new LvrError('INVALID_ARGUMENT', `buildPromptIds: numLatents must be a non-negative integer, got ${k}`);
  if (k === 0) return Int32Array.from([...system, ...o.tokenizer.encode(promptChunk(question))]);
  o.tokenizer.requireLivrLatents(k);
  const user = o.tokenizer.encode(`${IM_START_TOKEN}user\n${question}`);
  const tail = o.tokenizer.encode(`${livrLatentTokens(k).join('')}${IM_END_TOKEN}\n${IM_START_TOKEN}assistant\n`);
  return Int32Array.from([...system, ...user, ...tail]);
}

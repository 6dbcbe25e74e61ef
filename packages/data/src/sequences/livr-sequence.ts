import { LvrError } from '@lvr/core';
import type { LvrTokenizer } from '../tokenizer/tokenizer.js';
import { IGNORE_INDEX, IM_END_TOKEN, IM_START_TOKEN, SYSTEM_MESSAGE, livrLatentTokens } from '../tokenizer/special-tokens.js';
import { expandImagePlaceholders, responseChunk, systemChunk } from './chat.js';
import { findTokenRuns } from './spans.js';
import type { PositionRange, TokenSpan } from './spans.js';

/** Options of {@link buildLivrSequence}. */
export interface LivrSequenceOptions {
  tokenizer: LvrTokenizer;
  /** User question; may contain `<image>` placeholders (expanded like the LVR sequences). */
  question: string;
  /** Assistant answer text (supervised). */
  answer: string;
  /** LLM tokens per image, in placeholder order. */
  imageTokenCounts: readonly number[];
  /** K latent tokens `<|latent_0|>`…`<|latent_{K-1}|>` (default 16; 0 allowed for ablations). */
  numLatents?: number;
  /** System prompt (default "You are a helpful assistant."). */
  systemMessage?: string;
  /** Name of the record for error messages (default "question"). */
  where?: string;
}

/**
 * Token groups of a LIVR sequence; together they cover every position `[0, L)`:
 * - `images`: the `<|image_pad|>` runs;
 * - `prompt` = `[0, latents.start)` minus the image runs: system chunk, `<|im_start|>user\n`,
 *   `<|vision_start|>` / `<|vision_end|>` and the question text;
 * - `latents`: the K latent tokens, placed right after the question inside the user turn;
 * - `answer` = `[latents.end, L)`: `<|im_end|>\n<|im_start|>assistant\n`, the answer, `<|im_end|>\n` —
 *   i.e. every token after the latents (as LaViT blocks everything after the latent block from the image).
 * `target` is the supervised part of `answer` (answer text + `<|im_end|>`).
 */
export interface LivrSpans {
  images: TokenSpan[];
  prompt: PositionRange;
  latents: PositionRange;
  answer: PositionRange;
  target: PositionRange;
}

/** A LIVR training sequence. */
export interface LivrSequence {
  /** Token ids `(L)`. */
  inputIds: Int32Array;
  /** Labels `(L)`, unshifted (`labels[t] = inputIds[t]` on `spans.target`, else `IGNORE_INDEX`). */
  labels: Int32Array;
  /** The `<|image_pad|>` runs (same as `spans.images`). */
  imageSpans: TokenSpan[];
  spans: LivrSpans;
}

/**
 * Builds a LIVR sequence (livr-and-peers.md §1.1–1.4): the Qwen chat format with the K latent tokens
 * appended to the question (Q' = Q + L: after the question text, before `<|im_end|>` of the user turn —
 * the paper's "appended to the prompt"), so the same K latents are part of every input at train and test
 * time. Only the answer and its `<|im_end|>` are supervised; the trailing `\n` is not.
 *
 * @example
 * const seq = buildLivrSequence({ tokenizer, question: '<image>\nwhat colour is it?', answer: 'red',
 *   imageTokenCounts: [16], numLatents: 4 });
 * seq.spans.latents; // { start, end: start + 4 }
 */
export function buildLivrSequence(options: LivrSequenceOptions): LivrSequence {
  const { tokenizer, imageTokenCounts } = options;
  const where = options.where ?? 'question';
  const k = options.numLatents ?? 16;
  const latentIds = tokenizer.requireLivrLatents(k);
  imageTokenCounts.forEach((n, i) => {
    if (!Number.isInteger(n) || n < 1) {
      throw new LvrError('INVALID_ARGUMENT', `${where}: imageTokenCounts[${i}] must be a positive integer, got ${String(n)}`, {
        details: { field: 'imageTokenCounts', index: i },
      });
    }
  });
  const question = expandImagePlaceholders(options.question, imageTokenCounts, where);

  const system = tokenizer.encode(systemChunk(options.systemMessage ?? SYSTEM_MESSAGE));
  const user = tokenizer.encode(`${IM_START_TOKEN}user\n${question}`);
  const tail = tokenizer.encode(`${livrLatentTokens(k).join('')}${IM_END_TOKEN}\n${IM_START_TOKEN}assistant\n`);
  const response = tokenizer.encode(responseChunk(options.answer));
  const imEndInResponse = response.lastIndexOf(tokenizer.special.imEnd);

  const latentStart = system.length + user.length;
  const answerStart = latentStart + k;
  const targetStart = latentStart + tail.length;
  const ids = Int32Array.from([...system, ...user, ...tail, ...response]);
  const labels = new Int32Array(ids.length).fill(IGNORE_INDEX);
  const targetEnd = targetStart + imEndInResponse + 1;
  for (let t = targetStart; t < targetEnd; t++) labels[t] = ids[t] as number;

  const images = findTokenRuns(ids, tokenizer.special.imagePad);
  const latentSet = new Set(latentIds);
  const latentCount = ids.reduce((n, id) => n + (latentSet.has(id) ? 1 : 0), 0);
  const latentsOk = latentCount === k && latentIds.every((id, i) => ids[latentStart + i] === id);
  const imagesOk = images.length === imageTokenCounts.length && images.every((s, i) => s.length === imageTokenCounts[i]);
  if (!latentsOk || !imagesOk || imEndInResponse < 0) {
    throw new LvrError('DATASET_FORMAT', `${where}: the tokenized sequence does not match its placeholders; the question ` +
      'or answer probably contains literal image or latent special tokens', { details: { field: where } });
  }
  return {
    inputIds: ids,
    labels,
    imageSpans: images,
    spans: {
      images,
      prompt: { start: 0, end: latentStart },
      latents: { start: latentStart, end: answerStart },
      answer: { start: answerStart, end: ids.length },
      target: { start: targetStart, end: targetEnd },
    },
  };
}

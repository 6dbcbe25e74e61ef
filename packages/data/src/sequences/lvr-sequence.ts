import { LvrError } from '@lvr/core';
import type { LvrTokenizer } from '../tokenizer/tokenizer.js';
import { IGNORE_INDEX, IMAGE_PLACEHOLDER, LVR_PLACEHOLDER, SYSTEM_MESSAGE } from '../tokenizer/special-tokens.js';
import {
  countPlaceholders,
  expandImagePlaceholders,
  expandLvrPlaceholders,
  normalizeConversation,
  promptChunk,
  responseChunk,
  systemChunk,
} from './chat.js';
import type { ConversationTurn } from './chat.js';
import { findTokenPositions, findTokenRuns } from './spans.js';
import type { TokenSpan } from './spans.js';

/** Options of {@link buildLvrSftSequence}. */
export interface LvrSftSequenceOptions {
  tokenizer: LvrTokenizer;
  /** LLM tokens per image (t·h·w/4 of its grid), in the order of the `<image>` placeholders. */
  imageTokenCounts: readonly number[];
  /** ROI token indices (local to the first image's LLM tokens) per `<lvr>` placeholder, in order. */
  lvrGroups: readonly (readonly number[])[];
  /** Insert `<|lvr_latent_end|>` before `<|lvr_end|>`. Default true = the released reference data. */
  latentEndToken?: boolean;
  /**
   * Fixed-K variant: K `<|lvr|>` per placeholder regardless of the group size. The group is truncated to
   * its first K indices or repeated cyclically to length K; an empty group cannot fill K slots and throws.
   * (The reference's unreleased fixed-K variant also omits `<|lvr_latent_end|>`: pass `latentEndToken: false`.)
   */
  fixedLatentCount?: number;
  /** System prompt (default "You are a helpful assistant."). */
  systemMessage?: string;
  /** Drop the assistant text before the first `<lvr>` like the reference (default true). */
  dropTextBeforeFirstLvr?: boolean;
  /** Name of the record for error messages (default "conversations"). */
  where?: string;
}

/** A stage-1 LVR SFT training sequence. */
export interface LvrSequence {
  /** Token ids `(L)`. */
  inputIds: Int32Array;
  /**
   * Labels `(L)`, stored UNshifted: `labels[t] = inputIds[t]` on the supervised assistant chunks
   * (`{assistant}<|im_end|>\n`), `IGNORE_INDEX` on the system and prompt chunks and wherever
   * `inputIds[t]` is `<|lvr|>`. The model shifts them (position t predicts `labels[t + 1]`), so the
   * `<|lvr_start|>`, `<|lvr_latent_end|>` and `<|lvr_end|>` targets stay supervised and the positions
   * whose next token is `<|lvr|>` get no cross-entropy.
   */
  labels: Int32Array;
  /**
   * Per `<lvr>` placeholder, the ROI indices whose visual embeddings feed (and are the targets of) its
   * `<|lvr|>` tokens, one per token: the group itself, or for fixed-K the group truncated / cyclically
   * repeated to K. `lvrGroups.flat().length === lvrPositions.length`.
   */
  lvrGroups: number[][];
  /** Positions of the `<|lvr|>` tokens in `inputIds`, ascending (= the order of `lvrGroups.flat()`). */
  lvrPositions: number[];
  /** Per placeholder, the run of `<|lvr|>` tokens (start = position after `<|lvr_start|>`; length may be 0). */
  lvrSpans: TokenSpan[];
  /** The `<|image_pad|>` runs, one per image in order. */
  imageSpans: TokenSpan[];
}

/**
 * Builds a stage-1 LVR SFT sequence exactly as the reference does (lvr-reference.md §2.5): Qwen chat format
 * with the system chunk, then per (user, assistant) pair a prompt chunk and a response chunk;
 * `\n?<image>\n?` → `<|vision_start|>` + `<|image_pad|>`×n + `<|vision_end|>`; the k-th `<lvr>` →
 * `<|lvr_start|>` + `<|lvr|>`×T + `<|lvr_latent_end|>` + `<|lvr_end|>` with T = the k-th group's size (text
 * before the first `<lvr>` of a message dropped). Placeholders are consumed in conversation order; `<image>`
 * is only allowed in user messages. Every chunk is tokenized on its own without added special tokens.
 *
 * Unlike the reference, mismatched counts (placeholders vs `imageTokenCounts` / `lvrGroups`), ROI indices
 * outside the first image and message text that contains literal image / LVR special tokens throw
 * `LvrError('DATASET_FORMAT')` instead of being silently zipped or misaligned.
 *
 * @example
 * const seq = buildLvrSftSequence(
 *   [{ from: 'human', value: '<image>\nWhat colour?' }, { from: 'gpt', value: '<lvr>\n<answer> red </answer>' }],
 *   { tokenizer, imageTokenCounts: [16], lvrGroups: [[5, 6, 9, 10]] },
 * );
 * seq.lvrPositions.length; // 4
 */
export function buildLvrSftSequence(conversations: readonly ConversationTurn[], options: LvrSftSequenceOptions): LvrSequence {
  const where = options.where ?? 'conversations';
  const { tokenizer, imageTokenCounts } = options;
  const lvrIds = tokenizer.requireLvr();
  const special = tokenizer.special;
  validateCounts(imageTokenCounts, where);
  const groups = resolveGroups(options, where);
  const slots = groups.map((g) => g.length);

  const messages = normalizeConversation(conversations, where);
  const ids: number[] = [];
  const labels: number[] = [];
  const push = (text: string, supervised: boolean): void => {
    for (const id of tokenizer.encode(text)) {
      ids.push(id);
      labels.push(supervised && id !== lvrIds.lvr ? id : IGNORE_INDEX);
    }
  };

  push(systemChunk(options.systemMessage ?? SYSTEM_MESSAGE), false);
  let imageCursor = 0;
  let lvrCursor = 0;
  const placeholderTotals = { images: 0, lvr: 0 };
  for (const m of messages) {
    placeholderTotals.images += countPlaceholders(m.content, IMAGE_PLACEHOLDER);
    placeholderTotals.lvr += countPlaceholders(m.content, LVR_PLACEHOLDER);
  }
  if (placeholderTotals.images !== imageTokenCounts.length || placeholderTotals.lvr !== groups.length) {
    throw new LvrError('DATASET_FORMAT', `${where}: ${placeholderTotals.images} ${IMAGE_PLACEHOLDER} and ` +
      `${placeholderTotals.lvr} ${LVR_PLACEHOLDER} placeholder(s), but ${imageTokenCounts.length} image token count(s) ` +
      `and ${groups.length} ROI group(s) were given`, { details: { field: where, ...placeholderTotals } });
  }

  messages.forEach((m, i) => {
    const at = `${where}[${i}]`;
    const nImages = countPlaceholders(m.content, IMAGE_PLACEHOLDER);
    if (nImages > 0 && m.role === 'assistant') {
      throw new LvrError('DATASET_FORMAT', `${at}: ${IMAGE_PLACEHOLDER} is only supported in user messages`, {
        details: { field: where, index: i },
      });
    }
    let text = expandImagePlaceholders(m.content, imageTokenCounts.slice(imageCursor, imageCursor + nImages), at);
    imageCursor += nImages;
    const nLvr = countPlaceholders(text, LVR_PLACEHOLDER);
    text = expandLvrPlaceholders(text, slots.slice(lvrCursor, lvrCursor + nLvr), {
      latentEndToken: options.latentEndToken ?? true,
      dropTextBeforeFirst: options.dropTextBeforeFirstLvr ?? true,
    }, at);
    lvrCursor += nLvr;
    if (m.role === 'user') push(promptChunk(text), false);
    else push(responseChunk(text), true);
  });

  const inputIds = Int32Array.from(ids);
  const imageSpans = findTokenRuns(inputIds, special.imagePad);
  const imagesOk = imageSpans.length === imageTokenCounts.length &&
    imageSpans.every((s, k) => s.length === imageTokenCounts[k]);
  const lvrSpans = findTokenPositions(inputIds, lvrIds.lvrStart).map((p) => {
    let n = 0;
    while (inputIds[p + 1 + n] === lvrIds.lvr) n++;
    return { start: p + 1, length: n };
  });
  const lvrPositions = findTokenPositions(inputIds, lvrIds.lvr);
  const lvrOk = lvrSpans.length === slots.length && lvrSpans.every((s, k) => s.length === slots[k]) &&
    lvrPositions.length === slots.reduce((a, b) => a + b, 0);
  if (!imagesOk || !lvrOk) {
    throw new LvrError('DATASET_FORMAT', `${where}: the tokenized sequence does not match its placeholders; the ` +
      'message text probably contains literal image or LVR special tokens (e.g. <|image_pad|>, <|lvr|>)', {
      details: { field: where },
    });
  }
  return { inputIds, labels: Int32Array.from(labels), lvrGroups: groups, lvrPositions, lvrSpans, imageSpans };
}

function validateCounts(counts: readonly number[], where: string): void {
  counts.forEach((n, k) => {
    if (!Number.isInteger(n) || n < 1) {
      throw new LvrError('INVALID_ARGUMENT', `${where}: imageTokenCounts[${k}] must be a positive integer, got ${String(n)}`, {
        details: { field: 'imageTokenCounts', index: k },
      });
    }
  });
}

/** The per-placeholder index lists actually fed (fixed-K: truncated / cyclically repeated), validated. */
function resolveGroups(options: LvrSftSequenceOptions, where: string): number[][] {
  const limit = options.imageTokenCounts[0] ?? 0;
  const k = options.fixedLatentCount;
  if (k !== undefined && (!Number.isInteger(k) || k < 1)) {
    throw new LvrError('INVALID_ARGUMENT', `fixedLatentCount must be a positive integer, got ${String(k)}`, {
      details: { field: 'fixedLatentCount' },
    });
  }
  return options.lvrGroups.map((group, g) => {
    for (const idx of group) {
      if (!Number.isInteger(idx) || idx < 0 || idx >= limit) {
        throw new LvrError('DATASET_FORMAT', `${where}: lvrGroups[${g}] has ROI index ${String(idx)} outside the first ` +
          `image's ${limit} LLM tokens`, { details: { field: 'lvrGroups', group: g, index: idx } });
      }
    }
    if (k === undefined) return [...group];
    if (group.length === 0) {
      throw new LvrError('DATASET_FORMAT', `${where}: lvrGroups[${g}] is empty and cannot fill ${k} fixed latent slots`, {
        details: { field: 'lvrGroups', group: g },
      });
    }
    return Array.from({ length: k }, (_, i) => group[i % group.length] as number);
  });
}

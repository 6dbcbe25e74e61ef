import { LvrError } from '@lvr/core';
import {
  IMAGE_PAD_TOKEN,
  IMAGE_PLACEHOLDER,
  IM_END_TOKEN,
  IM_START_TOKEN,
  LVR_END_TOKEN,
  LVR_LATENT_END_TOKEN,
  LVR_PLACEHOLDER,
  LVR_START_TOKEN,
  LVR_TOKEN,
  VISION_END_TOKEN,
  VISION_START_TOKEN,
} from '../tokenizer/special-tokens.js';

/** A chat message after role normalisation. */
export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

/**
 * One conversation turn as found in datasets: LLaVA style `{ from: 'human' | 'gpt', value }` (the LVR SFT
 * JSON) or OpenAI style `{ role: 'user' | 'assistant', content }`.
 */
export type ConversationTurn = { from: string; value: string } | { role: string; content: string };

const ROLE_MAP: Readonly<Record<string, ChatMessage['role']>> = { human: 'user', user: 'user', gpt: 'assistant', assistant: 'assistant' };

/**
 * Maps roles human→user, gpt→assistant and checks that the conversation is a non-empty list of
 * (user, assistant) pairs. Errors are `LvrError('DATASET_FORMAT')` naming `where` and the message index.
 *
 * @example
 * normalizeConversation([{ from: 'human', value: 'Q?' }, { from: 'gpt', value: 'A' }]);
 * // [{ role: 'user', content: 'Q?' }, { role: 'assistant', content: 'A' }]
 */
export function normalizeConversation(turns: readonly ConversationTurn[], where = 'conversations'): ChatMessage[] {
  if (!Array.isArray(turns) || turns.length === 0 || turns.length % 2 !== 0) {
    throw new LvrError('DATASET_FORMAT', `${where}: expected a non-empty list of (user, assistant) pairs, got ` +
      `${Array.isArray(turns) ? `${turns.length} messages` : typeof turns}`, { details: { field: where } });
  }
  return turns.map((turn, i) => {
    const t = turn as Partial<{ from: unknown; value: unknown; role: unknown; content: unknown }>;
    const rawRole = t.from ?? t.role;
    const content = t.value ?? t.content;
    const role = typeof rawRole === 'string' ? ROLE_MAP[rawRole] : undefined;
    const expected = i % 2 === 0 ? 'user' : 'assistant';
    if (role !== expected || typeof content !== 'string') {
      throw new LvrError('DATASET_FORMAT', `${where}[${i}]: expected a ${expected} message ` +
        `(from "${expected === 'user' ? 'human' : 'gpt'}") with string text, got role ${JSON.stringify(rawRole)}`, {
        details: { field: where, index: i },
      });
    }
    return { role, content };
  });
}

/** `"<|im_start|>system\n{message}<|im_end|>\n"` — labels IGNORE. */
export function systemChunk(systemMessage: string): string {
  return `${IM_START_TOKEN}system\n${systemMessage}${IM_END_TOKEN}\n`;
}

/** `"<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"` — labels IGNORE. */
export function promptChunk(user: string): string {
  return `${IM_START_TOKEN}user\n${user}${IM_END_TOKEN}\n${IM_START_TOKEN}assistant\n`;
}

/** `"{assistant}<|im_end|>\n"` — supervised (labels = ids). */
export function responseChunk(assistant: string): string {
  return `${assistant}${IM_END_TOKEN}\n`;
}

const IMAGE_RE = /\n?<image>\n?/g;

/** Number of occurrences of a literal placeholder (`<image>`, `<lvr>`) in `text`. */
export function countPlaceholders(text: string, placeholder: string): number {
  return text.split(placeholder).length - 1;
}

/**
 * Replaces every `\n?<image>\n?` (the newlines around it are eaten, as in the reference) with
 * `<|vision_start|>` + `<|image_pad|>`×n + `<|vision_end|>`, n taken from `tokenCounts` in order.
 * `tokenCounts.length` must equal the number of placeholders (`LvrError('DATASET_FORMAT')`).
 *
 * @example
 * expandImagePlaceholders('<image>\nQ?', [2]); // '<|vision_start|><|image_pad|><|image_pad|><|vision_end|>Q?'
 */
export function expandImagePlaceholders(text: string, tokenCounts: readonly number[], where = 'text'): string {
  const found = countPlaceholders(text, IMAGE_PLACEHOLDER);
  if (found !== tokenCounts.length) {
    throw new LvrError('DATASET_FORMAT', `${where}: ${found} ${IMAGE_PLACEHOLDER} placeholder(s) but ` +
      `${tokenCounts.length} image token count(s)`, { details: { field: where, placeholders: found, images: tokenCounts.length } });
  }
  let k = 0;
  return text.replace(IMAGE_RE, () => {
    const n = tokenCounts[k++] as number;
    return VISION_START_TOKEN + IMAGE_PAD_TOKEN.repeat(n) + VISION_END_TOKEN;
  });
}

/** Options of {@link expandLvrPlaceholders}. */
export interface LvrExpansionOptions {
  /** Insert `<|lvr_latent_end|>` after the `<|lvr|>` run (default true, the released reference data). */
  latentEndToken?: boolean;
  /** Drop the text before the first `<lvr>` as the reference does (default true). */
  dropTextBeforeFirst?: boolean;
}

/**
 * Expands each `<lvr>` placeholder k into `<|lvr_start|>` + `<|lvr|>`×slots[k] (+ `<|lvr_latent_end|>`) +
 * `<|lvr_end|>`; the text after the placeholder (usually starting with `\n`) follows unchanged. Like the
 * reference (lvr-reference.md §2.5 item 2), the text before the first `<lvr>` is dropped unless
 * `dropTextBeforeFirst` is false. Text without `<lvr>` is returned unchanged. `slots.length` must equal the
 * number of placeholders (`LvrError('DATASET_FORMAT')`; the reference silently zips instead).
 *
 * @example
 * expandLvrPlaceholders('<lvr>\n<answer> X </answer>', [2]);
 * // '<|lvr_start|><|lvr|><|lvr|><|lvr_latent_end|><|lvr_end|>\n<answer> X </answer>'
 */
export function expandLvrPlaceholders(
  text: string,
  slots: readonly number[],
  options: LvrExpansionOptions = {},
  where = 'text',
): string {
  const parts = text.split(LVR_PLACEHOLDER);
  if (parts.length - 1 !== slots.length) {
    throw new LvrError('DATASET_FORMAT', `${where}: ${parts.length - 1} ${LVR_PLACEHOLDER} placeholder(s) but ` +
      `${slots.length} ROI group(s)`, { details: { field: where, placeholders: parts.length - 1, groups: slots.length } });
  }
  if (slots.length === 0) return text;
  const end = (options.latentEndToken ?? true) ? LVR_LATENT_END_TOKEN + LVR_END_TOKEN : LVR_END_TOKEN;
  const head = (options.dropTextBeforeFirst ?? true) ? '' : (parts[0] as string);
  const body = slots.map((n, k) => LVR_START_TOKEN + LVR_TOKEN.repeat(n) + end + (parts[k + 1] as string));
  return head + body.join('');
}

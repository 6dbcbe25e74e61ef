import { Template } from '@huggingface/jinja';
import { LvrError } from '@lvr/core';
import { IMAGE_PAD_TOKEN, IMAGE_PLACEHOLDER, SYSTEM_MESSAGE, VISION_END_TOKEN, VISION_START_TOKEN } from '../tokenizer/special-tokens.js';

/**
 * Chat templates: the Jinja `chat_template` of a model folder's `tokenizer_config.json`, run by
 * `@huggingface/jinja` (the engine transformers.js uses), so a checkpoint with its own prompt format is prompted the
 * way it was trained. Folders without one use {@link DEFAULT_CHAT_TEMPLATE}, our own template for the Qwen2.5-VL
 * ChatML layout that every @lvr training sequence is built in (it renders byte-identically to `systemChunk` +
 * `promptChunk`; the tests check that).
 *
 * Images follow the Hugging Face convention: a user message's content is a list of `{ type: 'image' }` and
 * `{ type: 'text', text }` parts, the template writes one `<|vision_start|><|image_pad|><|vision_end|>` per image,
 * and {@link renderChatPrompt} widens each image's single `<|image_pad|>` to the image's LLM token count, as
 * Qwen2.5-VL's processor does.
 */

/**
 * The default template: ChatML with Qwen's default system message, image parts as vision spans, and
 * `<|im_start|>assistant\n` as the generation prompt.
 */
export const DEFAULT_CHAT_TEMPLATE = [
  "{%- if messages[0]['role'] != 'system' -%}",
  "{{- '<|im_start|>system\\n" + SYSTEM_MESSAGE + "<|im_end|>\\n' -}}",
  '{%- endif -%}',
  '{%- for message in messages -%}',
  "{{- '<|im_start|>' + message['role'] + '\\n' -}}",
  "{%- if message['content'] is string -%}",
  "{{- message['content'] -}}",
  '{%- else -%}',
  "{%- for part in message['content'] -%}",
  "{%- if part['type'] == 'image' -%}{{- '<|vision_start|><|image_pad|><|vision_end|>' -}}",
  "{%- elif part['type'] == 'text' -%}{{- part['text'] -}}{%- endif -%}",
  '{%- endfor -%}',
  '{%- endif -%}',
  "{{- '<|im_end|>\\n' -}}",
  '{%- endfor -%}',
  "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}",
].join('');

/** One part of a multimodal message (Hugging Face chat format). */
export type ChatContentPart = { type: 'image' } | { type: 'text'; text: string };

/** A message as chat templates receive it. */
export interface TemplateMessage {
  role: 'system' | 'user' | 'assistant';
  content: string | ChatContentPart[];
}

/** Compiled templates by source (a process sees one or two; bounded so a stream of distinct ones cannot grow it). */
const compiled = new Map<string, Template>();
const MAX_COMPILED = 16;

function compile(source: string, where: string): Template {
  let t = compiled.get(source);
  if (t) return t;
  try {
    t = new Template(source);
  } catch (cause) {
    throw new LvrError('TOKENIZER', `${where}: chat_template does not parse: ${cause instanceof Error ? cause.message : String(cause)}`, { cause, details: { field: 'chat_template' } });
  }
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
  compiled.set(source, t);
  return t;
}

/**
 * The chat template a `tokenizer_config.json` declares: its `chat_template` string, or, when it is a list of
 * named templates, the one named `default`. `undefined` when the config has none; `LvrError('TOKENIZER')` naming
 * `where` for a value of another type.
 *
 * @example
 * chatTemplateFromConfig({ chat_template: '{{ messages[0].content }}' }); // '{{ messages[0].content }}'
 */
export function chatTemplateFromConfig(config: Readonly<Record<string, unknown>>, where = 'tokenizer_config.json'): string | undefined {
  const value = config['chat_template'];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const named = value.filter((v): v is { name: string; template: string } =>
      typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string' && typeof (v as { template?: unknown }).template === 'string');
    const found = named.find((v) => v.name === 'default');
    if (found) return found.template;
    throw new LvrError('TOKENIZER', `${where}: chat_template is a list without a template named "default" (names: ${named.map((v) => v.name).join(', ') || 'none'})`, {
      details: { field: 'chat_template' },
    });
  }
  throw new LvrError('TOKENIZER', `${where}: chat_template must be a string or a list of { name, template }, got ${typeof value}`, { details: { field: 'chat_template' } });
}

/**
 * Renders `messages` through a Jinja chat template (default {@link DEFAULT_CHAT_TEMPLATE}) to text.
 * `LvrError('TOKENIZER')` when the template does not parse or fails to render.
 *
 * @example
 * applyChatTemplate([{ role: 'user', content: 'hi' }], { addGenerationPrompt: true });
 * // '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n'
 */
export function applyChatTemplate(
  messages: readonly TemplateMessage[],
  o: { template?: string | undefined; addGenerationPrompt?: boolean; where?: string } = {},
): string {
  const where = o.where ?? 'chat template';
  const template = compile(o.template ?? DEFAULT_CHAT_TEMPLATE, where);
  try {
    return template.render({ messages, add_generation_prompt: o.addGenerationPrompt ?? false, bos_token: '', eos_token: '<|im_end|>' });
  } catch (cause) {
    throw new LvrError('TOKENIZER', `${where}: chat_template failed to render: ${cause instanceof Error ? cause.message : String(cause)}`, { cause, details: { field: 'chat_template' } });
  }
}

const IMAGE_SPLIT = /\n?<image>\n?/;

/**
 * The user text with `<image>` placeholders as Hugging Face content parts: each placeholder (with the newlines
 * around it, which the reference drops) becomes `{ type: 'image' }`, the text between them `{ type: 'text' }`.
 *
 * @example
 * userContent('<image>\nwhat shape ?'); // [{ type: 'image' }, { type: 'text', text: 'what shape ?' }]
 */
export function userContent(text: string): ChatContentPart[] {
  const pieces = text.split(IMAGE_SPLIT);
  const parts: ChatContentPart[] = [];
  pieces.forEach((piece, i) => {
    if (i > 0) parts.push({ type: 'image' });
    if (piece.length > 0) parts.push({ type: 'text', text: piece });
  });
  return parts;
}

/** Options of {@link renderChatPrompt}. */
export interface ChatPromptOptions {
  /** The user turn with `<image>` placeholders. */
  user: string;
  /** LLM tokens per image, in placeholder order. */
  imageTokenCounts: readonly number[];
  /** System message (default: none given, so the template's default applies). */
  systemMessage?: string | undefined;
  /** The template (default {@link DEFAULT_CHAT_TEMPLATE}). */
  template?: string | undefined;
  /** Where the template came from, for errors. */
  where?: string;
}

/**
 * The generation prompt text of one user turn: the template rendered with `add_generation_prompt`, then each
 * image's `<|image_pad|>` widened to its token count. `LvrError('DATASET_FORMAT')` when the placeholders and
 * `imageTokenCounts` disagree, `LvrError('TOKENIZER')` when the template does not write one vision span per image.
 *
 * @example
 * renderChatPrompt({ user: '<image>\nwhat shape ?', imageTokenCounts: [2] });
 * // '…<|im_start|>user\n<|vision_start|><|image_pad|><|image_pad|><|vision_end|>what shape ?<|im_end|>\n<|im_start|>assistant\n'
 */
export function renderChatPrompt(o: ChatPromptOptions): string {
  const where = o.where ?? 'chat template';
  const content = userContent(o.user);
  const images = content.filter((p) => p.type === 'image').length;
  if (images !== o.imageTokenCounts.length) {
    throw new LvrError('DATASET_FORMAT', `question: ${images} ${IMAGE_PLACEHOLDER} placeholder(s) but ${o.imageTokenCounts.length} image token count(s)`, {
      details: { field: 'question', placeholders: images, images: o.imageTokenCounts.length },
    });
  }
  const messages: TemplateMessage[] = [
    ...(o.systemMessage !== undefined ? [{ role: 'system' as const, content: o.systemMessage }] : []),
    { role: 'user', content },
  ];
  const text = applyChatTemplate(messages, { template: o.template, addGenerationPrompt: true, where });
  const span = VISION_START_TOKEN + IMAGE_PAD_TOKEN + VISION_END_TOKEN;
  const pieces = text.split(span);
  if (pieces.length - 1 !== images) {
    throw new LvrError('TOKENIZER', `${where}: the template wrote ${pieces.length - 1} image span(s) for ${images} image(s)`, { details: { field: 'chat_template' } });
  }
  return pieces.reduce((acc, piece, i) => acc + VISION_START_TOKEN + IMAGE_PAD_TOKEN.repeat(o.imageTokenCounts[i - 1]!) + VISION_END_TOKEN + piece);
}

import { describe, expect, it } from 'vitest';
import { LvrError } from '@lvr/core';
import { LvrTokenizer } from '../tokenizer/tokenizer.js';
import { addLvrTokens } from '../tokenizer/add-tokens.js';
import { createWordLevelTokenizerJson } from '../tokenizer/word-level.js';
import { SYSTEM_MESSAGE } from '../tokenizer/special-tokens.js';
import { expandImagePlaceholders, promptChunk, systemChunk } from './chat.js';
import { DEFAULT_CHAT_TEMPLATE, applyChatTemplate, chatTemplateFromConfig, renderChatPrompt, userContent } from './chat-template.js';
import { buildPromptIds } from './prompt.js';

const words = ['what', 'shape', 'is', 'it', 'answer', 'briefly', ...SYSTEM_MESSAGE.toLowerCase().replace('.', '').split(' ')];
const tokenizerJson = addLvrTokens(createWordLevelTokenizerJson({ words }));

describe('DEFAULT_CHAT_TEMPLATE', () => {
  it('renders byte-identically to the hand-built ChatML chunks the training sequences use', () => {
    for (const [user, counts] of [['<image>\nwhat shape is it ?', [3]], ['what shape ?', []], ['<image><image>\nwhat ?', [1, 2]], ['what\n<image>\nis it ?', [2]]] as const) {
      const expected = systemChunk(SYSTEM_MESSAGE) + promptChunk(expandImagePlaceholders(user, counts));
      expect(renderChatPrompt({ user, imageTokenCounts: counts, systemMessage: SYSTEM_MESSAGE })).toBe(expected);
      // Without a system message the template adds Qwen's default one.
      expect(renderChatPrompt({ user, imageTokenCounts: counts })).toBe(expected);
    }
  });

  it('renders a whole conversation with the assistant turn closed', () => {
    const text = applyChatTemplate([{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'yes' }]);
    expect(text).toBe(`${systemChunk(SYSTEM_MESSAGE)}<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nyes<|im_end|>\n`);
    expect(DEFAULT_CHAT_TEMPLATE).toContain('add_generation_prompt');
  });
});

describe('userContent', () => {
  it('splits <image> placeholders (and their newlines) into Hugging Face content parts', () => {
    expect(userContent('<image>\nwhat ?')).toEqual([{ type: 'image' }, { type: 'text', text: 'what ?' }]);
    expect(userContent('a\n<image>\nb<image>')).toEqual([{ type: 'text', text: 'a' }, { type: 'image' }, { type: 'text', text: 'b' }, { type: 'image' }]);
  });
});

describe('a folder chat template', () => {
  // A template of another layout (a user prefix and an instruction), to show the folder's template is the one used.
  const custom = "{%- for m in messages -%}{%- if m['role'] == 'user' -%}{{- '<|im_start|>user\\nanswer briefly . ' -}}" +
    "{%- for p in m['content'] -%}{%- if p['type'] == 'image' -%}{{- '<|vision_start|><|image_pad|><|vision_end|>' -}}{%- else -%}{{- p['text'] -}}{%- endif -%}{%- endfor -%}" +
    "{{- '<|im_end|>\\n' -}}{%- endif -%}{%- endfor -%}{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}";

  it('is read from tokenizer_config.json and drives buildPromptIds', () => {
    const tok = LvrTokenizer.fromJson(tokenizerJson, { chat_template: custom });
    expect(tok.chatTemplate).toBe(custom);
    const ids = buildPromptIds({ tokenizer: tok, question: '<image>\nwhat shape is it ?', imageTokenCounts: [2] });
    const expected = tok.encode('<|im_start|>user\nanswer briefly . <|vision_start|><|image_pad|><|image_pad|><|vision_end|>what shape is it ?<|im_end|>\n<|im_start|>assistant\n');
    expect(Array.from(ids)).toEqual(expected);
    // Without a folder template the default ChatML prompt is built.
    const plain = LvrTokenizer.fromJson(tokenizerJson);
    expect(plain.chatTemplate).toBeUndefined();
    expect(plain.decode(buildPromptIds({ tokenizer: plain, question: '<image>\nwhat shape is it ?', imageTokenCounts: [2] }))).toContain('<|im_start|>system');
  });

  it('accepts the named-list form and rejects other values with a TOKENIZER error naming the file', () => {
    expect(chatTemplateFromConfig({ chat_template: [{ name: 'tool_use', template: 'x' }, { name: 'default', template: 'y' }] })).toBe('y');
    expect(chatTemplateFromConfig({})).toBeUndefined();
    for (const bad of [{ chat_template: 3 }, { chat_template: [{ name: 'tool_use', template: 'x' }] }]) {
      expect(() => chatTemplateFromConfig(bad, 'm/tokenizer_config.json')).toThrow(/m\/tokenizer_config\.json: chat_template/);
    }
  });

  it('reports a template that does not parse, or writes no vision span per image, as TOKENIZER errors', () => {
    const code = (f: () => unknown): string | undefined => { try { f(); } catch (e) { return e instanceof LvrError ? e.code : 'not LvrError'; } return undefined; };
    expect(code(() => applyChatTemplate([{ role: 'user', content: 'x' }], { template: '{% for %}' }))).toBe('TOKENIZER');
    expect(code(() => renderChatPrompt({ user: '<image>\nx', imageTokenCounts: [2], template: "{{ messages[0]['role'] }}" }))).toBe('TOKENIZER');
    expect(code(() => renderChatPrompt({ user: '<image>\nx', imageTokenCounts: [] }))).toBe('DATASET_FORMAT');
  });
});

import { LvrError } from '@lvr/core';
import { LVR_TOKENS, QWEN_REQUIRED_TOKENS } from './special-tokens.js';

/** Options of {@link createWordLevelTokenizerJson}. */
export interface WordLevelTokenizerOptions {
  /** Vocabulary words; deduplicated and sorted. Each must be one pre-token (see the function doc). */
  words: readonly string[];
  /** Extra special tokens (e.g. `<answer>`, `</answer>`), matched verbatim before word splitting. */
  extraSpecialTokens?: readonly string[];
  /**
   * Lower-case ordinary text before lookup (a `Lowercase` normalizer; words are lower-cased too).
   * Special tokens are never lower-cased. Default `true`, so that "You are a helpful assistant." and
   * "you" share a token; decoding then returns lower-cased text.
   */
  lowercase?: boolean;
}

/** Unknown-word token of the word-level tokenizer (id 7). */
export const WORD_LEVEL_UNK_TOKEN = '<unk>';

/**
 * Punctuation tokens every word-level vocabulary contains (after `"\n"`), in id order. Any other single
 * punctuation character may be passed in `words`.
 */
export const WORD_LEVEL_PUNCTUATION: readonly string[] = Object.freeze([
  '.', ',', '?', '!', ':', ';', '(', ')', '[', ']', "'", '"', '-', '/', '<', '>', '=', '+', '*', '%', '_', '|',
]);

/** Role words of the chat format, always in the vocabulary (`<|im_start|>user\n…`). */
export const CHAT_ROLE_WORDS: readonly string[] = Object.freeze(['system', 'user', 'assistant']);

// BERT pre-tokenizer punctuation: Unicode P* plus every ASCII symbol (same set in Rust and tokenizers.js).
const PUNCT_CLASS = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const WORD_RE = new RegExp(`^[^\\s${PUNCT_CLASS}]+$`, 'u');
const SINGLE_PUNCT_RE = new RegExp(`^[${PUNCT_CLASS}]$`, 'u');

/**
 * Builds a Hugging Face `tokenizer.json` object for a small word-level vocabulary, as used by the miniature
 * models. It loads in `@huggingface/tokenizers` (and in the Rust `tokenizers` library).
 *
 * Ids: 0 `<|endoftext|>`, 1 `<|im_start|>`, 2 `<|im_end|>`, 3 `<|vision_start|>`, 4 `<|vision_end|>`,
 * 5 `<|image_pad|>`, 6 `<|video_pad|>`, 7 `<unk>`, 8–11 the four LVR tokens in reference order, then
 * `extraSpecialTokens` (in the given order, duplicates removed), then `"\n"`, then
 * {@link WORD_LEVEL_PUNCTUATION}, then the deduplicated words plus the chat role words
 * {@link CHAT_ROLE_WORDS} (`system`, `user`, `assistant`), sorted by UTF-16 code unit.
 *
 * How it tokenizes: `@huggingface/tokenizers` 0.2.0 has no `WordLevel` model (a WordLevel json silently
 * falls back to its "Legacy" model, which has no unknown-token handling), so the model is `WordPiece`
 * used with whole words only: no vocabulary entry starts with the `##` continuation prefix (words may not
 * contain punctuation), so a word is either in the vocabulary or becomes `<unk>` (never dropped). The
 * special tokens and `"\n"` are added tokens (matched before splitting, so `"\n"` is its own token); the
 * rest is split by the BERT pre-tokenizer (on whitespace; every punctuation character is its own token).
 *
 * Decoding joins tokens with single spaces, then removes the space before `. ? ! , : )`, after `(`, around
 * `"\n"` and on the inner side of `<|…|>` tokens. Canonical text (single spaces, no space before that
 * punctuation) therefore round-trips exactly (lower-cased when `lowercase`), e.g.
 * `"<|im_start|>user\nwhat colour is it?<|im_end|>\n"`; `"a ; b"` keeps its spaces, `"(a) b"` is exact.
 *
 * Word rules: a word must be one BERT pre-token — a run without whitespace and punctuation (`"x0"`,
 * `"colour"`) — or one punctuation character. Anything else throws `LvrError('INVALID_ARGUMENT')`.
 *
 * @example
 * const json = createWordLevelTokenizerJson({ words: ['what', 'colour', 'is', 'it'], extraSpecialTokens: ['<answer>'] });
 * const tok = LvrTokenizer.fromJson(json);
 * tok.encode('What colour?'); // [ids of 'what', 'colour', '?']
 */
export function createWordLevelTokenizerJson(options: WordLevelTokenizerOptions): Record<string, unknown> {
  const lowercase = options.lowercase ?? true;
  const specials: string[] = [...QWEN_REQUIRED_TOKENS, WORD_LEVEL_UNK_TOKEN, ...LVR_TOKENS];
  for (const [i, token] of (options.extraSpecialTokens ?? []).entries()) {
    if (typeof token !== 'string' || token.length === 0 || token === '\n') {
      throw new LvrError('INVALID_ARGUMENT', `extraSpecialTokens[${i}] must be a non-empty string other than "\\n"`, {
        details: { field: 'extraSpecialTokens', index: i },
      });
    }
    if (!specials.includes(token)) specials.push(token);
  }

  const fixed = new Set<string>([...specials, '\n', ...WORD_LEVEL_PUNCTUATION]);
  const words = new Set<string>(CHAT_ROLE_WORDS);
  for (const [i, raw] of options.words.entries()) {
    if (typeof raw !== 'string') {
      throw new LvrError('INVALID_ARGUMENT', `words[${i}] is not a string`, { details: { field: 'words', index: i } });
    }
    const word = lowercase ? raw.toLowerCase() : raw;
    if (fixed.has(word)) continue;
    if (!WORD_RE.test(word) && !SINGLE_PUNCT_RE.test(word)) {
      throw new LvrError(
        'INVALID_ARGUMENT',
        `words[${i}] = ${JSON.stringify(raw)} is not a single word: it must contain no whitespace and no ` +
          'punctuation (or be exactly one punctuation character); split it or pass it in extraSpecialTokens',
        { details: { field: 'words', index: i, word: raw } },
      );
    }
    words.add(word);
  }

  const ordered = [...specials, '\n', ...WORD_LEVEL_PUNCTUATION, ...[...words].sort()];
  const vocab: Record<string, number> = {};
  ordered.forEach((token, id) => {
    vocab[token] = id;
  });
  const addedTokens = [...specials, '\n'].map((content) => ({
    id: vocab[content],
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: content !== '\n',
  }));

  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: lowercase ? { type: 'Lowercase' } : null,
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: null,
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'WordPiece', prefix: '##', cleanup: true },
        { type: 'Fuse' },
        { type: 'Replace', pattern: { Regex: ' ?\n ?' }, content: '\n' },
        { type: 'Replace', pattern: { String: ' <|' }, content: '<|' },
        { type: 'Replace', pattern: { String: '|> ' }, content: '|>' },
        { type: 'Replace', pattern: { String: ' :' }, content: ':' },
        { type: 'Replace', pattern: { String: ' )' }, content: ')' },
        { type: 'Replace', pattern: { String: '( ' }, content: '(' },
      ],
    },
    model: {
      type: 'WordPiece',
      unk_token: WORD_LEVEL_UNK_TOKEN,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

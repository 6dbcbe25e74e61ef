import { byteLevelAlphabet } from './byte-level.js';
import { QWEN_BASE_TOKEN_IDS } from './special-tokens.js';

/** Pre-tokenizer split pattern of the Qwen2 / Qwen2.5 tokenizers (Oniguruma syntax, as in tokenizer.json). */
const QWEN_SPLIT_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/**
 * A small stand-in for the stock Qwen2.5-VL `tokenizer.json`, for tests and offline examples: the real
 * normalizer (NFC), split pattern, byte-level pre-tokenizer / decoder and added-token layout, but a
 * byte-level BPE vocabulary of only the 256 byte symbols (ids 0–255, no merges, so every UTF-8 byte is one
 * token). The added tokens carry the real ids 151643–151656 (`<|endoftext|>` … `<|video_pad|>`) plus
 * `<|file_sep|>` at 151664, so the maximum id is 151664 and the tokenizer length is 151665, as in the real
 * one; `addLvrTokens` therefore assigns 151665–151668.
 *
 * @example
 * const tok = LvrTokenizer.fromJson(addLvrTokens(createQwenLikeTokenizerJson()));
 * tok.special.imagePad; // 151655
 * tok.requireLvr().lvrStart; // 151665
 */
export function createQwenLikeTokenizerJson(): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  byteLevelAlphabet().forEach((ch, id) => {
    vocab[ch] = id;
  });
  const added: Array<[string, number]> = [...Object.entries(QWEN_BASE_TOKEN_IDS), ['<|file_sep|>', 151664]];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added.map(([content, id]) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'NFC' },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: QWEN_SPLIT_PATTERN }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
      ],
    },
    post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: [],
    },
  };
}

/** Tokenizer: Qwen / LVR / LIVR special tokens, adding tokens to tokenizer.json, the LvrTokenizer wrapper. */
export {
  PAD_TOKEN,
  IM_START_TOKEN,
  IM_END_TOKEN,
  EOS_TOKEN,
  VISION_START_TOKEN,
  VISION_END_TOKEN,
  IMAGE_PAD_TOKEN,
  VIDEO_PAD_TOKEN,
  LVR_START_TOKEN,
  LVR_TOKEN,
  LVR_LATENT_END_TOKEN,
  LVR_END_TOKEN,
  LVR_TOKENS,
  QWEN_REQUIRED_TOKENS,
  QWEN_BASE_TOKEN_IDS,
  IMAGE_PLACEHOLDER,
  LVR_PLACEHOLDER,
  IGNORE_INDEX,
  SYSTEM_MESSAGE,
  livrLatentToken,
  livrLatentTokens,
} from './special-tokens.js';
export { addSpecialTokens, addLvrTokens, addLivrLatentTokens } from './add-tokens.js';
export type { AddedTokenJson } from './add-tokens.js';
export { LvrTokenizer, MAX_VOCAB_SIZE, SUPPORTED_TOKENIZER_MODELS, readTokenizerConfig } from './tokenizer.js';
export type { LvrTokenIds, SpecialTokenIds, DecodeOptions } from './tokenizer.js';
export { createWordLevelTokenizerJson, WORD_LEVEL_UNK_TOKEN, WORD_LEVEL_PUNCTUATION, CHAT_ROLE_WORDS } from './word-level.js';
export type { WordLevelTokenizerOptions } from './word-level.js';
export { createQwenLikeTokenizerJson } from './qwen-like.js';

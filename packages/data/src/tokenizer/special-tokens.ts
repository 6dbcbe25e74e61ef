/**
 * Token strings and constants shared by the LVR / LIVR data pipeline (lvr-reference.md §1).
 *
 * The Qwen2.5-VL base tokens are listed with their stock ids (`QWEN_BASE_TOKEN_IDS`) for documentation and
 * fixtures only: code must always read ids from the loaded tokenizer (`LvrTokenizer.special`).
 */

/** Padding token of Qwen2.5-VL (`<|endoftext|>`, stock id 151643). */
export const PAD_TOKEN = '<|endoftext|>';
/** Opens a chat turn (stock id 151644). */
export const IM_START_TOKEN = '<|im_start|>';
/** Closes a chat turn; the EOS token of the instruct models (stock id 151645). */
export const IM_END_TOKEN = '<|im_end|>';
/** End-of-sequence token used for generation: `<|im_end|>`. */
export const EOS_TOKEN = IM_END_TOKEN;
/** Opens an image / video block (stock id 151652). */
export const VISION_START_TOKEN = '<|vision_start|>';
/** Closes an image / video block (stock id 151653). */
export const VISION_END_TOKEN = '<|vision_end|>';
/** One LLM image token (post-merger visual embedding slot, stock id 151655). */
export const IMAGE_PAD_TOKEN = '<|image_pad|>';
/** One LLM video token (stock id 151656); listed for completeness, videos are not supported. */
export const VIDEO_PAD_TOKEN = '<|video_pad|>';

/** Emitted by the model to enter latent mode; normal embedding (reference id 151665). */
export const LVR_START_TOKEN = '<|lvr_start|>';
/** One latent step; its input embedding is always overwritten (reference id 151666). */
export const LVR_TOKEN = '<|lvr|>';
/** Latent "stop" slot, present in the released stage-1 data (reference id 151667). */
export const LVR_LATENT_END_TOKEN = '<|lvr_latent_end|>';
/** Closes a latent segment; normal embedding (reference id 151668). */
export const LVR_END_TOKEN = '<|lvr_end|>';

/** The four LVR tokens in the reference order; added in this order they get consecutive ids. */
export const LVR_TOKENS = [LVR_START_TOKEN, LVR_TOKEN, LVR_LATENT_END_TOKEN, LVR_END_TOKEN] as const;

/** The Qwen chat / vision tokens this package relies on, in stock-id order. */
export const QWEN_REQUIRED_TOKENS = [
  PAD_TOKEN,
  IM_START_TOKEN,
  IM_END_TOKEN,
  VISION_START_TOKEN,
  VISION_END_TOKEN,
  IMAGE_PAD_TOKEN,
  VIDEO_PAD_TOKEN,
] as const;

/**
 * Stock Qwen2.5-VL ids of the added tokens 151643..151656 (base tokenizer length 151665; ids 151657..151664
 * hold further tool / FIM tokens not used here). For fixtures and docs only.
 */
export const QWEN_BASE_TOKEN_IDS: Readonly<Record<string, number>> = Object.freeze({
  '<|endoftext|>': 151643,
  '<|im_start|>': 151644,
  '<|im_end|>': 151645,
  '<|object_ref_start|>': 151646,
  '<|object_ref_end|>': 151647,
  '<|box_start|>': 151648,
  '<|box_end|>': 151649,
  '<|quad_start|>': 151650,
  '<|quad_end|>': 151651,
  '<|vision_start|>': 151652,
  '<|vision_end|>': 151653,
  '<|vision_pad|>': 151654,
  '<|image_pad|>': 151655,
  '<|video_pad|>': 151656,
});

/** Text placeholder for an image in dataset JSON; expanded to vision_start + image_pad×n + vision_end. */
export const IMAGE_PLACEHOLDER = '<image>';
/** Text placeholder for a latent segment in dataset JSON; expanded to lvr_start + lvr×T (+ ends). */
export const LVR_PLACEHOLDER = '<lvr>';

/** Label value ignored by the cross-entropy loss (PyTorch convention). */
export const IGNORE_INDEX = -100;
/** Default system prompt of the Qwen chat format used by the reference. */
export const SYSTEM_MESSAGE = 'You are a helpful assistant.';

/**
 * Name of the i-th LIVR latent token. LIVR adds K distinct (unshared) latent tokens to the vocabulary
 * (livr-and-peers.md §1.1); the paper gives no names, so @lvr uses `<|latent_0|>` … `<|latent_{K-1}|>`,
 * matching the `<|…|>` style of the Qwen special tokens.
 *
 * @example
 * livrLatentToken(3); // '<|latent_3|>'
 */
export function livrLatentToken(index: number): string {
  return `<|latent_${index}|>`;
}

/**
 * The first `k` LIVR latent token names, in order.
 *
 * @example
 * livrLatentTokens(2); // ['<|latent_0|>', '<|latent_1|>']
 */
export function livrLatentTokens(k: number): string[] {
  return Array.from({ length: k }, (_, i) => livrLatentToken(i));
}

import { LvrError } from '@lvr/core';
import type { LvrTokenizer } from '@lvr/data';
import { resolveModelConfig, type ModelConfig } from '../config.js';
import type { ModelSize } from './sizes.js';

/**
 * A model config whose special-token ids come from the tokenizer (like the reference, which stores the LVR
 * ids in config.json after adding the tokens). The vocabulary is rounded up to a multiple of 8.
 *
 * @example
 * const config = modelConfigFor(MODEL_SIZES.demo, tokenizer);
 */
export function modelConfigFor(size: ModelSize, tokenizer: LvrTokenizer): Readonly<ModelConfig> {
  const s = tokenizer.special;
  const lvr = tokenizer.requireLvr();
  if (s.livrLatents.length === 0) {
    throw new LvrError('TOKENIZER', 'the tokenizer has no LIVR latent tokens: apply addLivrLatentTokens(json, K) first so SFT, LVR and LIVR share one vocabulary');
  }
  return resolveModelConfig({
    ...size,
    vocabSize: Math.ceil(tokenizer.vocabSize / 8) * 8,
    tokens: {
      padId: s.pad, eosId: s.eos, imagePadId: s.imagePad, visionStartId: s.visionStart, visionEndId: s.visionEnd,
      lvrStartId: lvr.lvrStart, lvrId: lvr.lvr, lvrLatentEndId: lvr.lvrLatentEnd, lvrEndId: lvr.lvrEnd,
      latentIds: [...s.livrLatents],
    },
  });
}

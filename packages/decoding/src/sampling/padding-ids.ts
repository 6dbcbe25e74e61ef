import { LvrError } from '@lvr/core';

/** Largest vocabulary accepted (2^24 ids, far above any real LM head): bounds the list this returns. */
const MAX_VOCAB = 2 ** 24;

/**
 * The ids a model can score but its tokenizer does not have: the padding rows of an embedding whose vocabulary was
 * rounded up (Qwen's 151 936 rows for 151 665 tokens; the miniature models round up too). Pass them as
 * `GenerateOptions.suppressIds` so no sampler ever picks a token the tokenizer cannot decode.
 *
 * @param modelVocabSize rows of the model's LM head (`StepModel.vocabSize`).
 * @param tokenizerVocabSize tokens of the tokenizer (`LvrTokenizer.vocabSize`); a larger tokenizer gives `[]`.
 *
 * @example
 * vocabPaddingIds(8, 6); // [6, 7]
 * await generate(model, requests, { suppressIds: vocabPaddingIds(model.vocabSize, tokenizer.vocabSize) });
 */
export function vocabPaddingIds(modelVocabSize: number, tokenizerVocabSize: number): number[] {
  for (const [name, v] of [['modelVocabSize', modelVocabSize], ['tokenizerVocabSize', tokenizerVocabSize]] as const) {
    if (!Number.isSafeInteger(v) || v < 0 || v > MAX_VOCAB) {
      throw new LvrError('INVALID_ARGUMENT', `vocabPaddingIds: ${name} must be an integer in 0..${MAX_VOCAB}, got ${String(v)}`, {
        details: { [name]: v },
      });
    }
  }
  return Array.from({ length: Math.max(0, modelVocabSize - tokenizerVocabSize) }, (_, k) => tokenizerVocabSize + k);
}

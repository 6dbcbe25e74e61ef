import { LvrError, type Rng } from '@lvr/core';
import type { ResolvedSampler } from './sampler-config.js';
import {
  applyRepetitionPenalty, applyTemperature, applyTopK, applyTopP, argmax, logSoftmaxAt, softmax, suppressTokens,
} from './logits-processors.js';

/** The chosen token and its log-probability. */
export interface SampledToken {
  token: number;
  /**
   * `log softmax(rawLogits / T)[token]` with T the sampler temperature (1 for greedy): no repetition penalty,
   * suppression or top-k/top-p truncation, i.e. exactly what a teacher-forced policy forward computes.
   */
  logprob: number;
}

/** Where a sample is drawn, for error messages. */
export interface SampleSite {
  row: number;
  /** Index of the generated position being sampled. */
  index: number;
}

/**
 * Chooses the next token of one row from its raw logits (length V).
 *
 * @param seen ids already in the row (prompt + output), for the repetition penalty.
 * @param suppressed ids that can never be chosen.
 * @param allowed when given, only these ids can be chosen (constrained decoding, e.g. an answer among option words).
 * @param rng the row's own generator (not touched by greedy decoding).
 * @throws LvrError `NUMERIC` when the logits contain NaN or every token is excluded.
 *
 * @example
 * const s = resolveSamplerConfig({ kind: 'sample', temperature: 0.7, topK: 40 });
 * const { token, logprob } = sampleToken(logits, s, new Rng(1), promptIds, new Set([lvrId]));
 */
export function sampleToken(
  logits: ArrayLike<number>,
  sampler: ResolvedSampler,
  rng: Rng,
  seen: Iterable<number> = [],
  suppressed: Iterable<number> = [],
  site: SampleSite = { row: 0, index: 0 },
  allowed?: ReadonlySet<number>,
): SampledToken {
  for (let i = 0; i < logits.length; i++) {
    if (Number.isNaN(logits[i])) {
      throw new LvrError('NUMERIC', `row ${site.row}, generated position ${site.index}: logit of token ${i} is NaN`, {
        details: { ...site, tokenId: i },
      });
    }
  }
  let scores = suppressTokens(applyRepetitionPenalty(logits, seen, sampler.repetitionPenalty), suppressed);
  if (allowed !== undefined) for (let i = 0; i < scores.length; i++) if (!allowed.has(i)) scores[i] = Number.NEGATIVE_INFINITY;
  const temperature = sampler.kind === 'greedy' ? 1 : sampler.temperature;
  let token: number;
  if (sampler.kind === 'greedy') {
    token = argmax(scores);
  } else {
    scores = applyTopP(applyTopK(applyTemperature(scores, temperature), sampler.topK), sampler.topP);
    token = drawFrom(softmax(scores), rng);
  }
  if (scores[token] === Number.NEGATIVE_INFINITY) {
    throw new LvrError('NUMERIC', `row ${site.row}, generated position ${site.index}: every token is suppressed or ` +
      'has -Infinity logit; nothing can be sampled', { details: { ...site } });
  }
  return { token, logprob: logSoftmaxAt(logits, token, temperature) };
}

/** Inverse-CDF draw from a probability vector with one uniform number from `rng`. */
function drawFrom(probs: Float64Array, rng: Rng): number {
  const u = rng.next();
  let acc = 0;
  let last = -1;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i] as number;
    if (p <= 0) continue;
    acc += p;
    last = i;
    if (u < acc) return i;
  }
  return last === -1 ? 0 : last; // rounding: u ≥ Σp only by float error → the last token with mass
}

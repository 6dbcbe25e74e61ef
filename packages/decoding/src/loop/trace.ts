import { LvrError } from '@lvr/core';
import type { StepInput } from '../step-model.js';

/**
 * Why a latent span ended: the strategy said so; the budget (`min(strategy.maxSteps, maxLatentSteps)`) ran out;
 * the row hit `maxNewTokens` while the span was still going; or the `skipLatent` probe skipped it.
 */
export type LatentStopReason = 'strategy' | 'budget' | 'max-new-tokens' | 'skipped';

/** Why a row finished: a text-mode EOS, or `maxNewTokens` generated positions (latent ones included). */
export type FinishReason = 'eos' | 'max-new-tokens';

/** What was fed at a generated position: the token's embedding, or a latent vector. */
export type InputKind = 'token' | 'latent';

/**
 * One latent span of a row. Position convention: generated position j (index j in `outputIds`) sits at absolute
 * position `promptLength + j`; the `<|lvr_start|>` that opened the span is at index `start − 1` (or is the last
 * prompt token when `start = 0`).
 */
export interface LatentSpan {
  /** Index in `outputIds` of the first latent position (where the first vector was, or would have been, fed). */
  readonly start: number;
  /** Vectors fed; `inputs[start .. start + steps − 1]` are all `'latent'`. */
  readonly steps: number;
  readonly stopReason: LatentStopReason;
  /** True when the token after the span (at index `start + steps`) was forced to `<|lvr_end|>`. */
  readonly forcedEnd: boolean;
  /** Exactly the vectors fed, in order (after any `latentTransform`): what RL replays. */
  readonly vectors: readonly Float32Array[];
  /**
   * Pointer feedbacks only: per fed vector, the index j of the row's visual token the latent pointed at (argmax of
   * `latent · v_j / √D`), before any `latentTransform`. Absent for other feedbacks.
   */
  readonly pointer?: readonly number[] | undefined;
  /**
   * `sampledTokens[k]` = the token the sampler chose from the output of the (k+1)-th latent position, i.e.
   * `outputIds[start + k + 1]` — except the last one when `forcedEnd` replaced it in `outputIds`.
   */
  readonly sampledTokens: readonly number[];
}

/**
 * The trace of one row: everything RL replay, evaluation probes and visualisations need.
 *
 * - `outputIds[j]`: the token at absolute position `promptLength + j` (sampled, or forced `<|lvr_end|>`). Tokens at
 *   latent positions are the sampler's choices there; they stay in the output (as in the reference) but their
 *   embeddings were never fed.
 * - `inputs[j]`: what was fed at that position. The last position is never fed (the row stopped), its entry is
 *   `'token'`.
 * - RL replay: a teacher-forced forward over `prompt + outputIds[0 .. n−2]` where position `promptLength + j` takes
 *   the recorded vector when `inputs[j] === 'latent'` — see {@link buildReplayInputs}.
 */
export interface GenerateResult {
  /** Index of the request. */
  readonly row: number;
  readonly promptLength: number;
  /** The seed of this row's sampling generator (reproduce the row alone with `requests[i].seed = seed`). */
  readonly seed: number;
  readonly outputIds: readonly number[];
  /** `log softmax(rawLogits / T)` of each `outputIds[j]` (T = 1 for greedy); see `sampleToken`. */
  readonly logprobs: readonly number[];
  readonly inputs: readonly InputKind[];
  readonly latentSpans: readonly LatentSpan[];
  readonly finishReason: FinishReason;
}

/** What `onToken` receives for every generated position, in order. */
export interface TokenEvent {
  /** Index in `outputIds`. */
  readonly index: number;
  readonly token: number;
  /** What is fed at this position (`'latent'`: the token is a placeholder). */
  readonly kind: InputKind;
  readonly logprob: number;
  /** True for a forced `<|lvr_end|>`. */
  readonly forced: boolean;
}

/**
 * The step inputs a replay feeds after the prompt: one per generated position except the last, the recorded
 * vector where a latent was fed, else the token. Feeding these one by one (or as one teacher-forced sequence)
 * reproduces exactly what the model saw during generation.
 *
 * @example
 * const inputs = buildReplayInputs(result); // inputs[j] goes to absolute position result.promptLength + j
 */
export function buildReplayInputs(result: GenerateResult): StepInput[] {
  const vectorAt = new Map<number, Float32Array>();
  for (const span of result.latentSpans) span.vectors.forEach((v, k) => vectorAt.set(span.start + k, v));
  const out: StepInput[] = [];
  for (let j = 0; j < result.outputIds.length - 1; j++) {
    if (result.inputs[j] === 'latent') {
      const vector = vectorAt.get(j);
      if (vector === undefined) {
        throw new LvrError('INVALID_ARGUMENT', `trace of row ${result.row}: inputs[${j}] is 'latent' but no span holds a vector there`, {
          details: { row: result.row, index: j },
        });
      }
      out.push({ kind: 'embedding', vector });
    } else {
      out.push({ kind: 'token', id: result.outputIds[j] as number });
    }
  }
  return out;
}

import { LvrError, Rng } from '@lvr/core';
import { sampleToken } from '../sampling/sample-token.js';
import { logSoftmaxAt } from '../sampling/logits-processors.js';
import type { LatentDecisionContext } from '../strategies/stop-strategy.js';
import type { DecodingTokenIds, StepInput } from '../step-model.js';
import type { ResolvedGenerateOptions } from './generate-options.js';
import type { FinishReason, GenerateResult, InputKind, LatentSpan, LatentStopReason } from './trace.js';

/** One row's slice of a model output. */
export interface RowOutput {
  readonly logits: Float32Array;
  readonly hidden: Float32Array;
  readonly latent: Float32Array;
}

/** Model facts a row needs. */
export interface RowModelInfo {
  readonly tokens: DecodingTokenIds;
  readonly hiddenSize: number;
  readonly latentEndEmbedding: Float32Array | undefined;
}

interface OpenSpan {
  start: number;
  vectors: Float32Array[];
  sampledTokens: number[];
  pointer: number[];
}

/**
 * The state machine of one row (text / latent mode, span counters, finish state, trace). `consume` takes the
 * model's output for the row's newest position and returns the input for the next position, or `null` once the
 * row has finished. Rows never look at each other, which is what makes a batch equal to its rows run alone.
 *
 * Semantics (reference §4.2): after the output of position q, the token for q+1 is sampled; then
 * - text mode, and the token fed at q was `<|lvr_start|>` → a span opens and the strategy is asked (entry
 *   decision, 0 steps);
 * - latent mode → the strategy is asked with the span's history;
 * - "continue" feeds the latent output of q at q+1 (the sampled token stays in the output as a placeholder);
 *   "exit" (or the span budget) feeds the sampled token — or `<|lvr_end|>` when forced — and text resumes.
 */
export class RowDecoder {
  private readonly outputIds: number[] = [];
  private readonly logprobs: number[] = [];
  private readonly inputs: InputKind[] = [];
  private readonly spans: LatentSpan[] = [];
  private readonly seen: Set<number>;
  private readonly rng: Rng;
  private span: OpenSpan | undefined;
  /** The token fed at the newest position, or undefined when it was a latent vector. */
  private lastFedToken: number | undefined;
  private finish: FinishReason | undefined;

  constructor(
    readonly row: number,
    private readonly prompt: Int32Array,
    readonly seed: number,
    private readonly options: ResolvedGenerateOptions,
    private readonly model: RowModelInfo,
    /** The row's visual tokens (n × D) for pointer feedbacks, when it has any. */
    private readonly visualTokens: Float32Array | undefined = undefined,
  ) {
    this.seen = new Set(prompt);
    this.rng = new Rng(seed);
    this.lastFedToken = prompt[prompt.length - 1];
  }

  /** True once the row has finished (its later inputs are padding). */
  get finished(): boolean {
    return this.finish !== undefined;
  }

  /** Consumes the output of the newest position; returns the next input, or null when the row is done. */
  consume(out: RowOutput): StepInput | null {
    if (this.finish !== undefined) return null;
    const o = this.options;
    const t = this.model.tokens;
    const index = this.outputIds.length;
    // Constraints apply to text-mode samples only: not inside a span, nor at the output of `<|lvr_start|>`
    // (that position opens a span; its sampled token is a placeholder the strategy may inspect).
    const opening = this.span === undefined && o.latentEnabled && this.lastFedToken === t.lvrStartId;
    // The callback sees the tokens that were fed as tokens: a latent position's sampled token is a placeholder
    // that never entered the model (an `<answer>` sampled there must not count as the answer having opened).
    const allowedList = this.span === undefined && !opening && o.allowedTokens
      ? o.allowedTokens(this.row, this.outputIds.filter((_, i) => this.inputs[i] !== 'latent'))
      : undefined;
    const allowed = allowedList ? new Set(allowedList) : undefined;
    const sampled = sampleToken(out.logits, o.sampler, this.rng, this.seen, o.suppressIds, { row: this.row, index }, allowed);
    let token = sampled.token;
    let logprob = sampled.logprob;
    let forced = false;
    let input: StepInput = { kind: 'token', id: token };
    const isLast = index + 1 >= o.maxNewTokens;

    if (this.span === undefined && o.latentEnabled && this.lastFedToken === t.lvrStartId) {
      this.span = { start: index, vectors: [], sampledTokens: [], pointer: [] };
      if (o.skipLatent) {
        this.closeSpan('skipped', true);
        token = t.lvrEndId;
        forced = true;
      }
    } else if (this.span !== undefined) {
      this.span.sampledTokens.push(token);
    }

    const span = this.span;
    if (span !== undefined) {
      const steps = span.vectors.length;
      const ctx: LatentDecisionContext = {
        row: this.row, spanIndex: this.spans.length, steps, fedVectors: span.vectors, hidden: out.hidden, latent: out.latent,
        logits: out.logits, sampledToken: token, tokens: t, latentEndEmbedding: this.model.latentEndEmbedding,
      };
      const decision = o.strategy.decide(ctx);
      if (decision !== 'continue' && decision !== 'exit') {
        throw new LvrError('INVALID_ARGUMENT', `stop strategy '${o.strategy.kind}' returned ${JSON.stringify(decision)} ` +
          `for row ${this.row}; expected 'continue' or 'exit'`, { details: { row: this.row, kind: o.strategy.kind } });
      }
      const reason: LatentStopReason | undefined = decision === 'exit' ? 'strategy' : steps >= o.spanBudget ? 'budget' : undefined;
      if (reason !== undefined) {
        const force = o.strategy.forceEnd === true;
        this.closeSpan(reason, force);
        if (force) {
          token = t.lvrEndId;
          forced = true;
        }
      } else if (isLast) {
        this.closeSpan('max-new-tokens', false); // the next vector would go to a position that is never fed
      } else {
        input = { kind: 'embedding', vector: this.latentInput(out, span, index) };
      }
    }

    if (forced) {
      logprob = logSoftmaxAt(out.logits, token, o.sampler.kind === 'greedy' ? 1 : o.sampler.temperature);
    }
    if (input.kind === 'token') input = { kind: 'token', id: token };
    this.outputIds.push(token);
    this.logprobs.push(logprob);
    this.inputs.push(input.kind === 'token' ? 'token' : 'latent');
    this.seen.add(token);
    o.onToken?.(this.row, { index, token, kind: input.kind === 'token' ? 'token' : 'latent', logprob, forced });

    if (input.kind === 'token' && o.eosIds.has(token)) this.finish = 'eos';
    else if (isLast) this.finish = 'max-new-tokens';
    if (this.finish !== undefined) return null;
    this.lastFedToken = input.kind === 'token' ? input.id : undefined;
    return input;
  }

  /**
   * The vector fed at generated position `index`: the feedback's choice from the model's latent (the latent itself
   * under `hidden`), then the probe's replacement if any; always an owned copy.
   */
  private latentInput(out: RowOutput, span: OpenSpan, index: number): Float32Array {
    const o = this.options;
    const transform = o.latentTransform;
    const step = span.vectors.length;
    const spanIndex = this.spans.length;
    const choice = o.feedback.feed({ row: this.row, spanIndex, step, latent: out.latent, hidden: out.hidden, visualTokens: this.visualTokens });
    this.checkVector(choice?.vector, index, o.feedback.kind === 'hidden' ? ' (model output)' : ` (from the '${o.feedback.kind}' feedback)`);
    const vector = transform === undefined ? choice.vector : transform({
      row: this.row, spanIndex, step, index, vector: choice.vector, latent: out.latent, hidden: out.hidden, pointer: choice.pointer,
    });
    if (transform) this.checkVector(vector, index, ' (from latentTransform)');
    const owned = vector.slice(); // never alias a buffer the model, feedback or caller may reuse
    span.vectors.push(owned);
    if (choice.pointer !== undefined) span.pointer.push(choice.pointer);
    return owned;
  }

  private checkVector(vector: Float32Array | undefined, index: number, from: string): asserts vector is Float32Array {
    const D = this.model.hiddenSize;
    if (!(vector instanceof Float32Array) || vector.length !== D) {
      throw new LvrError('SHAPE_MISMATCH', `row ${this.row}, generated position ${index}: the latent vector must be a ` +
        `Float32Array of ${D} values, got ${vector instanceof Float32Array ? vector.length : typeof vector}${from}`, { details: { row: this.row, index } });
    }
    for (let i = 0; i < D; i++) {
      if (!Number.isFinite(vector[i])) {
        throw new LvrError('NUMERIC', `row ${this.row}, generated position ${index}: latent vector value ${i} is ${vector[i]}${from}`, { details: { row: this.row, index, dim: i } });
      }
    }
  }

  private closeSpan(stopReason: LatentStopReason, forcedEnd: boolean): void {
    const s = this.span;
    if (s === undefined) return;
    this.spans.push(Object.freeze({
      start: s.start, steps: s.vectors.length, stopReason, forcedEnd, vectors: s.vectors, sampledTokens: s.sampledTokens,
      ...(this.options.feedback.needsVisualTokens ? { pointer: s.pointer } : {}),
    }));
    this.span = undefined;
  }

  /** The finished row's trace. */
  result(): GenerateResult {
    if (this.finish === undefined) {
      throw new LvrError('INVALID_ARGUMENT', `row ${this.row} has not finished yet`, { details: { row: this.row } });
    }
    return Object.freeze({
      row: this.row, promptLength: this.prompt.length, seed: this.seed, outputIds: this.outputIds, logprobs: this.logprobs,
      inputs: this.inputs, latentSpans: this.spans, finishReason: this.finish,
    });
  }
}

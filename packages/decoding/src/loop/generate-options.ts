import { LvrError, createLogger, type ProgressCallback } from '@lvr/core';
import { resolveSamplerConfig, type ResolvedSampler, type SamplerConfig } from '../sampling/sampler-config.js';
import { DEFAULT_STOP_STRATEGY } from '../strategies/default.js';
import { createStopStrategy, type StopStrategyConfig } from '../strategies/registry.js';
import { createLatentFeedback, type LatentFeedbackSpec } from '../feedback/create-feedback.js';
import type { LatentFeedback } from '../feedback/latent-feedback.js';
import type { StopStrategy } from '../strategies/stop-strategy.js';
import type { PrefillRow, StepModel } from '../step-model.js';
import type { TokenEvent } from './trace.js';

/** One row to generate. */
export interface GenerateRequest {
  readonly prompt: PrefillRow;
  /**
   * Seed of this row's own sampling generator. Given per-row seeds, a row's output does not depend on which
   * other rows share its batch. Default: derived from `options.seed` and the row index.
   */
  readonly seed?: number | undefined;
}

/** What a `latentTransform` probe receives for every latent vector about to be fed. */
export interface LatentTransformContext {
  readonly row: number;
  readonly spanIndex: number;
  /** 0-based index of this vector within its span. */
  readonly step: number;
  /** Index in `outputIds` of the position the vector is fed at. */
  readonly index: number;
  /**
   * The vector the latent feedback chose to feed (do not mutate; return a new array to change it): the model's
   * latent output under the default `hidden` feedback, a visual token under `pointer-argmax`, etc.
   */
  readonly vector: Float32Array;
  /** The model's own latent output at this position (equals `vector`'s content under `hidden`); always set by the loop. */
  readonly latent?: Float32Array | undefined;
  /** Pointer feedbacks: the index of the visual token chosen (argmax). */
  readonly pointer?: number | undefined;
  /** The final-norm hidden state it came from. */
  readonly hidden: Float32Array;
}

/** A probe that replaces the vector fed at a latent step (zeros, noise, shuffled, ground-truth ROI, …). */
export type LatentTransform = (ctx: LatentTransformContext) => Float32Array;

/** Options of {@link generate}. Every field is optional; `resolveGenerateOptions` documents the defaults. */
export interface GenerateOptions {
  /**
   * Stop strategy: a config (selected through the registry) or a ready instance. Default
   * {@link DEFAULT_STOP_STRATEGY} (`fixed:8:force-end`).
   */
  readonly strategy?: StopStrategyConfig | StopStrategy | undefined;
  /** Default `{ kind: 'greedy' }`. */
  readonly sampler?: SamplerConfig | undefined;
  /** Generated positions per row, latent ones included (default 64). Every row stops here. */
  readonly maxNewTokens?: number | undefined;
  /**
   * Hard cap on vectors fed per span (default `max(64, strategy.maxSteps)`; an explicit value below
   * `strategy.maxSteps` is a `CONFIG_INVALID`).
   */
  readonly maxLatentSteps?: number | undefined;
  /** Tokens that finish a row when sampled in text mode (default `[model.tokens.eosId]`). */
  readonly eosIds?: readonly number[] | undefined;
  /** Base seed for rows without their own (default: random from `crypto`, logged at info level). */
  readonly seed?: number | undefined;
  /** Token ids that are never sampled. */
  readonly suppressIds?: readonly number[] | undefined;
  /**
   * LIVR inference: the prompt builder already appended the K latent tokens; here the latent ids and the four LVR
   * tokens are suppressed from sampling and latent mode is disabled. `true` uses `model.tokens.latentIds`.
   */
  readonly livr?: boolean | { readonly latentIds: readonly number[] } | undefined;
  /**
   * Constrained decoding: called before each text-mode sample of a row with the ids generated so far that were fed
   * as tokens (the placeholder samples of latent positions left out); a returned
   * list restricts that sample to those ids (e.g. after `<answer>` only the option words), `undefined` leaves it
   * free. The recorded logprob is still the unconstrained `log softmax(logits / T)` of the chosen token.
   */
  readonly allowedTokens?: ((row: number, outputIds: readonly number[]) => readonly number[] | undefined) | undefined;
  /** Probe: skip every latent span — right after `<|lvr_start|>` feed `<|lvr_end|>` (stop reason `'skipped'`). */
  readonly skipLatent?: boolean | undefined;
  /**
   * Latent feedback: which vector a latent step feeds (docs/decoding.md): `'hidden'` (default: the model's latent
   * output, the LVR reference), `'pointer-argmax'`, `'pointer-mix'`, `{ kind: 'pause', table }` or a
   * `LatentFeedback` instance. Stop strategies still decide on the model's own `latent` / `hidden`; `fedVectors`,
   * the trace and RL replay hold the vectors fed.
   */
  readonly feedback?: LatentFeedbackSpec | undefined;
  /** Probe: replace each latent vector (the one the feedback chose) before it is fed; the trace records the replacement. */
  readonly latentTransform?: LatentTransform | undefined;
  /** Streaming: called for every generated position of every row, in order. */
  readonly onToken?: ((row: number, event: TokenEvent) => void) | undefined;
  /** Progress: one tick per model step (`info.active` = rows still running). */
  readonly onProgress?: ProgressCallback | undefined;
}

/** {@link GenerateOptions} with defaults filled in and validated against the model. */
export interface ResolvedGenerateOptions {
  readonly strategy: StopStrategy;
  readonly sampler: ResolvedSampler;
  readonly maxNewTokens: number;
  readonly maxLatentSteps: number;
  /** `min(strategy.maxSteps, maxLatentSteps)`: vectors a span may feed. */
  readonly spanBudget: number;
  readonly eosIds: ReadonlySet<number>;
  readonly seed: number;
  readonly suppressIds: ReadonlySet<number>;
  /** False in LIVR mode: `<|lvr_start|>` never opens a span. */
  readonly latentEnabled: boolean;
  readonly skipLatent: boolean;
  readonly feedback: LatentFeedback;
  readonly latentTransform: LatentTransform | undefined;
  readonly allowedTokens: ((row: number, outputIds: readonly number[]) => readonly number[] | undefined) | undefined;
  readonly onToken: ((row: number, event: TokenEvent) => void) | undefined;
  readonly onProgress: ProgressCallback | undefined;
}

const log = createLogger('decoding');

function invalid(field: string, value: unknown, rule: string): never {
  throw new LvrError('CONFIG_INVALID', `generate: ${field} must be ${rule}, got ${JSON.stringify(value)}`, { details: { field, value } });
}

function checkIds(field: string, ids: readonly number[], vocabSize: number): void {
  for (const id of ids) if (!Number.isInteger(id) || id < 0 || id >= vocabSize) invalid(field, ids, `token ids in [0, ${vocabSize})`);
}

function randomSeed(): number {
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0] as number;
}

function isStrategy(s: StopStrategyConfig | StopStrategy): s is StopStrategy {
  return typeof (s as { decide?: unknown }).decide === 'function';
}

/**
 * Fills defaults and validates generation options against a model (token ids in range, the strategy's declared
 * needs, budgets).
 *
 * @example
 * const resolved = resolveGenerateOptions(model, { strategy: { kind: 'fixed', steps: 4 }, maxNewTokens: 32 });
 */
export function resolveGenerateOptions(model: StepModel, options: GenerateOptions = {}): ResolvedGenerateOptions {
  const rawStrategy = options.strategy ?? DEFAULT_STOP_STRATEGY;
  const strategy = isStrategy(rawStrategy) ? rawStrategy : createStopStrategy(rawStrategy);
  const V = model.vocabSize;
  const t = model.tokens;
  checkIds('model.tokens', [t.eosId, t.padId, t.lvrStartId, t.lvrId, t.lvrLatentEndId, t.lvrEndId, ...t.latentIds], V);

  if (strategy.needs.latentEndEmbedding) {
    const e = model.latentEndEmbedding;
    if (e === undefined || e.length !== model.hiddenSize) {
      throw new LvrError('CONFIG_INVALID', `stop strategy '${strategy.kind}' needs the model's learned latent-end embedding ` +
        `(${model.hiddenSize} values); the ${model.backend} model has ${e === undefined ? 'none' : `${e.length} values`}. ` +
        'Use a model trained with the latent-end token, or another strategy.', { details: { kind: strategy.kind } });
    }
  }
  const strategyMax = strategy.maxSteps;
  if (strategyMax !== undefined && (!Number.isInteger(strategyMax) || strategyMax < 0)) {
    invalid(`strategy '${strategy.kind}'.maxSteps`, strategyMax, 'an integer ≥ 0');
  }
  const maxLatentSteps = options.maxLatentSteps ?? Math.max(64, strategyMax ?? 0);
  if (!Number.isInteger(maxLatentSteps) || maxLatentSteps < 0) invalid('maxLatentSteps', maxLatentSteps, 'an integer ≥ 0');
  if (strategyMax !== undefined && options.maxLatentSteps !== undefined && strategyMax > maxLatentSteps) {
    invalid('maxLatentSteps', maxLatentSteps, `≥ the strategy '${strategy.kind}' budget of ${strategyMax} (raise maxLatentSteps or lower the strategy's steps)`);
  }
  const maxNewTokens = options.maxNewTokens ?? 64;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) invalid('maxNewTokens', maxNewTokens, 'an integer ≥ 1');

  const eosIds = options.eosIds ?? [t.eosId];
  checkIds('eosIds', eosIds, V);
  const suppress = new Set(options.suppressIds ?? []);
  checkIds('suppressIds', [...suppress], V);
  let latentEnabled = true;
  if (options.livr !== undefined && options.livr !== false) {
    const latentIds = options.livr === true ? t.latentIds : options.livr.latentIds;
    if (latentIds.length === 0) invalid('livr.latentIds', latentIds, 'a non-empty list (the model has no LIVR latent tokens)');
    checkIds('livr.latentIds', latentIds, V);
    for (const id of [...latentIds, t.lvrStartId, t.lvrId, t.lvrLatentEndId, t.lvrEndId]) suppress.add(id);
    latentEnabled = false;
  }
  if (options.seed !== undefined && !Number.isInteger(options.seed)) invalid('seed', options.seed, 'an integer');
  const seed = options.seed ?? randomSeed();
  if (options.seed === undefined) log.info('generate: no seed given, using a random one', { seed });
  if (options.allowedTokens !== undefined && typeof options.allowedTokens !== 'function') {
    invalid('allowedTokens', typeof options.allowedTokens, 'a function');
  }
  if (options.latentTransform !== undefined && typeof options.latentTransform !== 'function') {
    invalid('latentTransform', typeof options.latentTransform, 'a function');
  }
  const feedback = createLatentFeedback(options.feedback);
  feedback.check?.(model.hiddenSize);
  return Object.freeze({
    strategy,
    sampler: resolveSamplerConfig(options.sampler),
    maxNewTokens,
    maxLatentSteps,
    spanBudget: Math.min(strategyMax ?? maxLatentSteps, maxLatentSteps),
    eosIds: new Set(eosIds),
    seed,
    suppressIds: suppress,
    latentEnabled,
    skipLatent: options.skipLatent ?? false,
    feedback,
    latentTransform: options.latentTransform,
    allowedTokens: options.allowedTokens,
    onToken: options.onToken,
    onProgress: options.onProgress,
  });
}

import { LvrError, type ProgressCallback, type Rng } from '@lvr/core';
import { generate, type GenerateRequest, type GenerateResult, type LatentFeedbackSpec, type PrefillRow, type StepModel } from '@lvr/decoding';
import type { GrpoConfig } from './config.js';
import type { RewardSample } from './rewards/types.js';

/** One prompt to roll out: the model input (ids + images) and the sample its rewards compare against. */
export interface RolloutPrompt {
  readonly prompt: PrefillRow;
  readonly sample: RewardSample;
}

/**
 * The rollouts of P prompts × G completions. Rows are prompt-major: rows `p·G … p·G + G − 1` answer prompt p,
 * which is what the group advantages assume. Each trace carries the completion ids, the sampling log-probs,
 * what was fed at every position and the exact latent vectors (the replay's input).
 */
export interface RolloutBatch {
  readonly prompts: readonly RolloutPrompt[];
  readonly groupSize: number;
  /** P·G traces, prompt-major; `traces[i].row === i`. */
  readonly traces: readonly GenerateResult[];
}

/** What a rollout function gets besides the prompts. */
export interface RolloutContext {
  /** Draws the per-row sampling seeds (a deterministic function of the trainer's data Rng: exact resume). */
  readonly rng: Rng;
  readonly onProgress?: ProgressCallback | undefined;
  /**
   * The policy's latent feedback (`GenerateOptions.feedback`, default `hidden`). The traces hold the vectors fed,
   * so the replay is the same for every kind.
   */
  readonly feedback?: LatentFeedbackSpec | undefined;
}

/**
 * The rollout seam: any function that turns prompts into a {@link RolloutBatch} (G traces per prompt, prompt-major).
 * {@link createRolloutFn} is the default, through `@lvr/decoding`'s `generate()`.
 */
export type RolloutFn = (prompts: readonly RolloutPrompt[], ctx: RolloutContext) => Promise<RolloutBatch>;

/** The config fields a rollout reads. */
export type RolloutConfig = Pick<GrpoConfig, 'groupSize' | 'sampler' | 'strategy' | 'maxNewTokens' | 'maxLatentSteps' | 'suppressIds'>;

/**
 * Rolls out G completions per prompt in one batched `generate()` call: every row gets its own seed drawn from
 * `ctx.rng` (so a row's completion does not depend on its batch neighbours), the sampler and stop strategy are
 * the config's, stated explicitly.
 *
 * @example
 * const batch = await rolloutGroups(stepModel, prompts, resolveGrpoConfig({ groupSize: 4 }), { rng: new Rng(1) });
 * batch.traces.length; // prompts.length × 4
 */
export async function rolloutGroups(
  model: StepModel,
  prompts: readonly RolloutPrompt[],
  config: RolloutConfig,
  ctx: RolloutContext,
): Promise<RolloutBatch> {
  if (prompts.length === 0) throw new LvrError('INVALID_ARGUMENT', 'rolloutGroups: no prompts');
  const g = config.groupSize;
  const requests: GenerateRequest[] = [];
  for (const p of prompts) for (let k = 0; k < g; k++) requests.push({ prompt: p.prompt, seed: ctx.rng.nextUint32() });
  const traces = await generate(model, requests, {
    strategy: config.strategy,
    sampler: config.sampler,
    maxNewTokens: config.maxNewTokens,
    ...(config.maxLatentSteps !== undefined ? { maxLatentSteps: config.maxLatentSteps } : {}),
    suppressIds: config.suppressIds,
    seed: ctx.rng.nextUint32(), // unused (every row has its own seed) but keeps generate from drawing a random one
    ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
    ...(ctx.feedback !== undefined ? { feedback: ctx.feedback } : {}),
  });
  return { prompts, groupSize: g, traces };
}

/**
 * The default {@link RolloutFn} of a config and a step model.
 *
 * @example
 * const rollout = createRolloutFn(new TfjsStepModel(model), config);
 * const batch = await rollout(prompts, { rng });
 */
export function createRolloutFn(model: StepModel, config: RolloutConfig): RolloutFn {
  return (prompts, ctx) => rolloutGroups(model, prompts, config, ctx);
}

/** The token ids {@link completionText} needs. */
export interface CompletionTextIds {
  readonly lvrId: number;
  readonly padId: number;
  readonly eosIds: readonly number[];
}

/** The part of a tokenizer {@link completionText} needs (`LvrTokenizer` fits). */
export interface CompletionDecoder {
  decode(ids: ArrayLike<number>): string;
}

/**
 * The text rewards see for a completion: its ids up to (not including) the first EOS fed as a token, pad ids
 * dropped, and each latent position shown as `<|lvr|>` instead of the placeholder token sampled there (whose
 * embedding was never fed). Other special tokens (LVR tokens, `<answer>`) are kept.
 *
 * @example
 * completionText(trace, tokenizer, { lvrId, padId, eosIds: [eosId] }); // '<|lvr_start|><|lvr|>…<|lvr_end|>\n<answer> red </answer>'
 */
export function completionText(trace: GenerateResult, decoder: CompletionDecoder, ids: CompletionTextIds): string {
  const eos = new Set(ids.eosIds);
  const out: number[] = [];
  for (let j = 0; j < trace.outputIds.length; j++) {
    const latent = trace.inputs[j] === 'latent';
    const tok = trace.outputIds[j] as number;
    if (!latent && eos.has(tok)) break;
    if (latent) out.push(ids.lvrId);
    else if (tok !== ids.padId) out.push(tok);
  }
  return decoder.decode(out);
}

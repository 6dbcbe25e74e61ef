import { LvrError, ProgressReporter, Rng, createLogger } from '@lvr/core';
import type { CacheHandle, StepInput, StepModel, StepOutput } from '../step-model.js';
import { resolveGenerateOptions, type GenerateOptions, type GenerateRequest } from './generate-options.js';
import { RowDecoder, type RowOutput } from './row-decoder.js';
import { rowVisualTokens } from '../feedback/visual-tokens.js';
import type { GenerateResult } from './trace.js';

const log = createLogger('decoding');

/**
 * Generates for a batch of rows with latent reasoning: each row has its own mode (text / latent), span counters,
 * sampler generator and finish state; a stop strategy decides per row when a latent span ends, bounded by the
 * hard budgets. Returns one trace per request, in order.
 *
 * Steps: 1. resolve options against the model; 2. derive per-row seeds; 3. prefill; 4. loop: every unfinished
 * row consumes its output slice and yields its next input (finished rows feed the pad id); 5. stop when every
 * row has finished; 6. release the cache (also on error).
 *
 * @example
 * const [trace] = await generate(model, [{ prompt: { inputIds }, seed: 1 }], {
 *   strategy: { kind: 'fixed', steps: 8 },
 *   sampler: { kind: 'sample', temperature: 0.9, topK: 50 },
 *   maxNewTokens: 128,
 *   onToken: (row, e) => process.stdout.write(e.kind === 'latent' ? '·' : `${e.token} `),
 * });
 * trace.latentSpans[0]?.vectors; // the exact vectors fed, for RL replay
 */
export async function generate(
  model: StepModel,
  requests: readonly GenerateRequest[],
  options: GenerateOptions = {},
): Promise<GenerateResult[]> {
  // 1. options
  const o = resolveGenerateOptions(model, options);
  if (requests.length === 0) return [];
  requests.forEach((r, i) => {
    if (!(r?.prompt?.inputIds instanceof Int32Array) || r.prompt.inputIds.length === 0) {
      throw new LvrError('INVALID_ARGUMENT', `generate: request ${i} needs a non-empty prompt.inputIds (Int32Array)`, { details: { request: i } });
    }
    if (r.seed !== undefined && !Number.isInteger(r.seed)) {
      throw new LvrError('INVALID_ARGUMENT', `generate: request ${i} seed must be an integer, got ${r.seed}`, { details: { request: i } });
    }
  });

  // 2. seeds: a request's own seed wins; otherwise the base generator's i-th draw (drawn for every row, so a
  // row's derived seed does not depend on whether earlier rows brought their own).
  const base = new Rng(o.seed);
  const info = { tokens: model.tokens, hiddenSize: model.hiddenSize, latentEndEmbedding: model.latentEndEmbedding };
  // Pointer feedbacks: each row's visual tokens (given, or encoded from its images), once, before prefill.
  const visual = o.feedback.needsVisualTokens && o.latentEnabled ? await rowVisualTokens(model, requests.map((r) => r.prompt), o.feedback.kind) : [];
  const rows = requests.map((r, i) => {
    const derived = base.nextUint32();
    return new RowDecoder(i, r.prompt.inputIds, r.seed ?? derived, o, info, visual[i]);
  });
  log.debug('generate', {
    rows: rows.length, strategy: o.strategy.kind, feedback: o.feedback.kind, sampler: o.sampler.kind, maxNewTokens: o.maxNewTokens, spanBudget: o.spanBudget,
  });

  // 3. prefill
  const B = requests.length;
  const progress = new ProgressReporter('generate', o.maxNewTokens, o.onProgress);
  const prefilled = await model.prefill(requests.map((r) => r.prompt));
  const cache: CacheHandle = prefilled.cache;
  try {
    let out: StepOutput = prefilled;
    for (let step = 0; ; step++) {
      // 4. every unfinished row turns its output into its next input
      checkOutput(model, out, B, step);
      const inputs: StepInput[] = rows.map((row, r) => (row.finished ? null : row.consume(slice(model, out, r))) ?? { kind: 'token', id: model.tokens.padId });
      const active = rows.filter((r) => !r.finished).length;
      progress.tick(1, { active });
      // 5. done when every row has finished (bounded: each step adds one position to every unfinished row)
      if (active === 0) break;
      out = await model.step(cache, inputs);
    }
  } finally {
    // 6. always free the cache
    model.release(cache);
    progress.finish();
  }
  return rows.map((r) => r.result());
}

function checkOutput(model: StepModel, out: StepOutput, B: number, step: number): void {
  const V = model.vocabSize;
  const D = model.hiddenSize;
  const where = step === 0 ? 'prefill' : `step ${step}`;
  for (const [name, arr, per] of [['logits', out.logits, V], ['hidden', out.hidden, D], ['latent', out.latent, D]] as const) {
    if (arr === undefined || arr.length !== B * per) {
      throw new LvrError('SHAPE_MISMATCH', `generate: the ${model.backend} model's ${where} returned ${name} of length ` +
        `${arr?.length ?? 'undefined'}, expected ${B} × ${per} = ${B * per}`, { details: { step, name } });
    }
  }
}

/** Row r's views of a (B × V) / (B × D) output. */
function slice(model: StepModel, out: StepOutput, r: number): RowOutput {
  const V = model.vocabSize;
  const D = model.hiddenSize;
  return {
    logits: out.logits.subarray(r * V, (r + 1) * V), // (V)
    hidden: out.hidden.subarray(r * D, (r + 1) * D), // (D)
    latent: out.latent.subarray(r * D, (r + 1) * D), // (D)
  };
}

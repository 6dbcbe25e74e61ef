/**
 * Cached-decode timing of any `@lvr/decoding` StepModel (tfjs, ORT): the loop of bench/decode.ts and
 * bench/decode-onnx.ts as a function — a text-only prefill of `context` tokens per row, then pairs of one token
 * step and one latent step (the latent of the token step fed back as the input embedding), medians after a
 * warm-up. The cache grows by two positions per pair, as in those scripts and in tools/torch-reference/bench_decode.py.
 */
import { LvrError, type Rng } from '@lvr/core';
import type { StepModel } from '@lvr/decoding';

/** Options of {@link timeDecode}. */
export interface DecodeTimingOptions {
  readonly batch: number;
  readonly context: number;
  /** Timed token/latent step pairs (median). */
  readonly reps: number;
  /** Untimed pairs first. Default 2. */
  readonly warmup?: number;
  /** Plain text ids to draw prompts from (no special tokens). */
  readonly textIds: readonly number[];
  readonly rng: Rng;
}

/** Medians of one cached step, in ms, and the prefill time. */
export interface DecodeTiming {
  readonly batch: number;
  readonly context: number;
  readonly tokenMs: number;
  readonly latentMs: number;
  readonly prefillMs: number;
}

/** Median (upper middle for an even count) of a non-empty list. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new LvrError('INVALID_ARGUMENT', 'median of an empty list');
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
}

/**
 * Times cached decode steps of `sm` (see the module comment). The cache is released afterwards.
 *
 * @example
 * const t = await timeDecode(new TfjsStepModel(model), { batch: 1, context: 256, reps: 7, textIds, rng: new Rng(1) });
 * console.log(t.tokenMs, (1000 * t.batch) / t.latentMs); // ms/token, latent steps/s
 */
export async function timeDecode(sm: StepModel, o: DecodeTimingOptions): Promise<DecodeTiming> {
  const warmup = o.warmup ?? 2;
  if (!(Number.isInteger(o.batch) && o.batch > 0 && Number.isInteger(o.context) && o.context > 0 && Number.isInteger(o.reps) && o.reps > 0 && Number.isInteger(warmup) && warmup >= 0)) {
    throw new LvrError('INVALID_ARGUMENT', `timeDecode: batch, context, reps must be positive integers and warmup ≥ 0 (got ${o.batch}, ${o.context}, ${o.reps}, ${warmup})`);
  }
  if (o.textIds.length === 0) throw new LvrError('INVALID_ARGUMENT', 'timeDecode: textIds is empty');
  const d = sm.hiddenSize;
  const prompts = Array.from({ length: o.batch }, () => ({ inputIds: Int32Array.from({ length: o.context }, () => o.textIds[o.rng.int(o.textIds.length)] as number) }));
  const t0 = performance.now();
  const pre = await sm.prefill(prompts);
  const prefillMs = performance.now() - t0;
  const token = prompts.map(() => ({ kind: 'token' as const, id: o.textIds[0] as number }));
  const tokenMs: number[] = [];
  const latentMs: number[] = [];
  try {
    for (let r = 0; r < warmup + o.reps; r++) {
      let s0 = performance.now();
      const a = await sm.step(pre.cache, token);
      const t1 = performance.now() - s0;
      const lat = a.latent;
      const embeds = prompts.map((_, i) => ({ kind: 'embedding' as const, vector: lat.slice(i * d, (i + 1) * d) }));
      s0 = performance.now();
      await sm.step(pre.cache, embeds);
      const t2 = performance.now() - s0;
      if (r >= warmup) {
        tokenMs.push(t1);
        latentMs.push(t2);
      }
    }
  } finally {
    sm.release(pre.cache);
  }
  return { batch: o.batch, context: o.context, tokenMs: median(tokenMs), latentMs: median(latentMs), prefillMs };
}

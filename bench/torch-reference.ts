/**
 * The PyTorch side of the benchmarks: runs tools/torch-reference/bench_decode.py and bench_train.py on a model
 * folder (OpenBLAS variables unset for those children) and validates what they print.
 */
import { join } from 'node:path';
import { LvrError } from '@lvr/core';
import type { DecodeTiming } from './decode-timing.js';
import type { MatmulPeak } from './flops.js';
import { num, runPythonJson } from './python-runner.js';

/** Where the PyTorch scripts live, relative to the repository root. */
export const TORCH_REFERENCE_DIR = 'tools/torch-reference';

/** Parsed output of bench_decode.py. */
export interface TorchDecodeResult {
  readonly torch: string;
  readonly threads: Readonly<Record<string, unknown>>;
  /** Max |Δ| of the KV-cache decoder vs the full forward (checked < 1e-4 by the script); undefined if skipped. */
  readonly verifyMaxAbsDiff: number | undefined;
  readonly results: readonly DecodeTiming[];
}

/** Parsed output of bench_train.py. */
export interface TorchTrainResult {
  readonly torch: string;
  readonly threads: Readonly<Record<string, unknown>>;
  readonly cases: Readonly<Partial<Record<'full' | 'lm', { readonly ms: number; readonly trainableParams: number }>>>;
  readonly peak?: MatmulPeak | undefined;
}

/** Validates bench_decode.py's JSON (`IO_ERROR` naming the bad field and case index). */
export function parseTorchDecode(j: Record<string, unknown>, what = 'bench_decode.py'): TorchDecodeResult {
  if (!Array.isArray(j.results) || j.results.length === 0) throw new LvrError('IO_ERROR', `${what}: "results" must be a non-empty array`);
  const results = j.results.map((r: unknown, i: number): DecodeTiming => {
    const w = `${what} results[${i}]`;
    return { batch: num(r, 'batch', w), context: num(r, 'context', w), tokenMs: num(r, 'token_ms', w), latentMs: num(r, 'latent_ms', w), prefillMs: num(r, 'prefill_ms', w) };
  });
  return { torch: String(j.torch ?? '?'), threads: (j.threads ?? {}) as Record<string, unknown>, verifyMaxAbsDiff: j.verify_max_abs_diff === null ? undefined : num(j, 'verify_max_abs_diff', what), results };
}

/** Validates bench_train.py's JSON (`IO_ERROR` naming the bad field). */
export function parseTorchTrain(j: Record<string, unknown>, what = 'bench_train.py'): TorchTrainResult {
  const raw = j.cases;
  if (typeof raw !== 'object' || raw === null) throw new LvrError('IO_ERROR', `${what}: "cases" must be an object`);
  const cases: Partial<Record<'full' | 'lm', { ms: number; trainableParams: number }>> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k !== 'full' && k !== 'lm') throw new LvrError('IO_ERROR', `${what}: unknown case "${k}"`);
    cases[k] = { ms: num(v, 'ms', `${what} cases.${k}`), trainableParams: num(v, 'trainable_params', `${what} cases.${k}`) };
  }
  const p = j.peak;
  const peak = p === undefined ? undefined : { n: num(p, 'n', `${what} peak`), ms: num(p, 'ms', `${what} peak`), gflops: num(p, 'gflops', `${what} peak`) };
  return { torch: String(j.torch ?? '?'), threads: (j.threads ?? {}) as Record<string, unknown>, cases, peak };
}

/** Options shared by the two runs. */
export interface TorchRunOptions {
  readonly reps: number;
  /** Repository root (the scripts are resolved against it). */
  readonly root: string;
  /** Extra environment for the child, e.g. `{ OPENBLAS_NUM_THREADS: '1' }`. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Runs bench_decode.py on a model folder.
 *
 * @example
 * const t = await runTorchDecode('/tmp/lvr-bench/model', { reps: 7, root: process.cwd(), batches: [1, 8], contexts: [64, 256, 1024] });
 */
export async function runTorchDecode(modelDir: string, o: TorchRunOptions & { batches: readonly number[]; contexts: readonly number[]; verify?: boolean }): Promise<TorchDecodeResult> {
  const args = [modelDir, '--reps', String(o.reps), '--batches', o.batches.join(','), '--contexts', o.contexts.join(','), ...(o.verify === false ? ['--skip-verify'] : [])];
  return parseTorchDecode(await runPythonJson(join(o.root, TORCH_REFERENCE_DIR, 'bench_decode.py'), args, { unsetOpenblas: true, env: o.env }));
}

/**
 * Runs bench_train.py (both cases and the peak matmul) on a model folder.
 *
 * @example
 * const t = await runTorchTrain('/tmp/lvr-bench/model', { reps: 9, warmup: 3, batch: 32, length: 64, peakN: 1024, root: process.cwd() });
 */
export async function runTorchTrain(
  modelDir: string,
  o: TorchRunOptions & { warmup: number; batch: number; length: number; peakN: number; cases?: readonly ('full' | 'lm')[] },
): Promise<TorchTrainResult> {
  const args = [modelDir, '--reps', String(o.reps), '--warmup', String(o.warmup), '--batch', String(o.batch), '--length', String(o.length), '--peak-n', String(o.peakN), '--cases', (o.cases ?? ['full', 'lm']).join(',')];
  return parseTorchTrain(await runPythonJson(join(o.root, TORCH_REFERENCE_DIR, 'bench_train.py'), args, { unsetOpenblas: true, env: o.env }));
}

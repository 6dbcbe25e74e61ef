import { availableParallelism } from 'node:os';
import { LvrError } from '@lvr/core';
import type * as Ort from 'onnxruntime-node';

/** The onnxruntime-node module (an optional peer dependency, loaded on first use). */
export type OrtModule = typeof Ort;
/** An ORT inference session. */
export type OrtSession = Ort.InferenceSession;
/** An ORT tensor. */
export type OrtTensor = Ort.Tensor;

/** Session settings of the ORT backend (defaults in {@link resolveOrtOptions}). */
export interface OrtOptions {
  /** Threads inside one op (default `min(4, availableParallelism())`). Each session has its own pool. */
  readonly intraOpNumThreads?: number | undefined;
  /** Threads across independent ops (default 1: the graphs are sequential). */
  readonly interOpNumThreads?: number | undefined;
  /** ORT graph optimisations (default `'all'`). */
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all' | undefined;
  /**
   * Let idle intra-op threads spin (default false: the sessions alternate and the machine is usually shared,
   * so spinning only burns CPU).
   */
  readonly allowSpinning?: boolean | undefined;
  /** Execution providers (default `['cpu']`; `'webgpu'` is untested). */
  readonly executionProviders?: readonly string[] | undefined;
  /** Run ORT in a worker thread so `run` does not block the event loop (default false). */
  readonly worker?: boolean | undefined;
}

/** {@link OrtOptions} with defaults filled in. */
export interface ResolvedOrtOptions {
  readonly intraOpNumThreads: number;
  readonly interOpNumThreads: number;
  readonly graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  readonly allowSpinning: boolean;
  readonly executionProviders: readonly string[];
  readonly worker: boolean;
}

function invalid(field: string, value: unknown, rule: string): never {
  throw new LvrError('CONFIG_INVALID', `ORT options: ${field} must be ${rule}, got ${JSON.stringify(value)}`, { details: { field, value } });
}

/**
 * Fills defaults and validates ORT options.
 *
 * @example
 * resolveOrtOptions({ intraOpNumThreads: 2 }).interOpNumThreads; // 1
 */
export function resolveOrtOptions(o: OrtOptions = {}): ResolvedOrtOptions {
  const intra = o.intraOpNumThreads ?? Math.min(4, availableParallelism());
  const inter = o.interOpNumThreads ?? 1;
  if (!Number.isInteger(intra) || intra < 1) invalid('intraOpNumThreads', intra, 'a positive integer');
  if (!Number.isInteger(inter) || inter < 1) invalid('interOpNumThreads', inter, 'a positive integer');
  const level = o.graphOptimizationLevel ?? 'all';
  if (!['disabled', 'basic', 'extended', 'all'].includes(level)) invalid('graphOptimizationLevel', level, 'disabled | basic | extended | all');
  const eps = o.executionProviders ?? ['cpu'];
  if (!Array.isArray(eps) || eps.length === 0 || eps.some((e) => typeof e !== 'string')) invalid('executionProviders', eps, 'a non-empty list of provider names');
  return Object.freeze({
    intraOpNumThreads: intra,
    interOpNumThreads: inter,
    graphOptimizationLevel: level,
    allowSpinning: o.allowSpinning ?? false,
    executionProviders: Object.freeze([...eps]),
    worker: o.worker ?? false,
  });
}

let ortPromise: Promise<OrtModule> | undefined;

/**
 * Imports onnxruntime-node once. It is an optional peer dependency of `@lvr/model`.
 *
 * @throws LvrError `BACKEND_UNAVAILABLE` when it is not installed or its native binary does not load.
 */
export async function loadOrt(): Promise<OrtModule> {
  ortPromise ??= import('onnxruntime-node').then(
    (m) => ((m as { InferenceSession?: unknown }).InferenceSession ? m : (m as unknown as { default: OrtModule }).default) as OrtModule,
    (e: unknown) => {
      ortPromise = undefined;
      throw new LvrError('BACKEND_UNAVAILABLE', `onnxruntime-node could not be loaded (install it: ONNXRUNTIME_NODE_INSTALL=skip npm i onnxruntime-node@1.30.0): ${(e as Error).message}`, { cause: e });
    },
  );
  return ortPromise;
}

/**
 * Opens one session from a file with the resolved options.
 *
 * @throws LvrError `CHECKPOINT` naming the file when it is missing or not a valid ONNX model.
 */
export async function openSession(ort: OrtModule, file: string, o: ResolvedOrtOptions): Promise<OrtSession> {
  try {
    return await ort.InferenceSession.create(file, {
      executionProviders: [...o.executionProviders],
      intraOpNumThreads: o.intraOpNumThreads,
      interOpNumThreads: o.interOpNumThreads,
      graphOptimizationLevel: o.graphOptimizationLevel,
      executionMode: 'sequential',
      logSeverityLevel: 3,
      extra: { session: { 'intra_op.allow_spinning': o.allowSpinning ? '1' : '0', 'inter_op.allow_spinning': o.allowSpinning ? '1' : '0' } },
    });
  } catch (e) {
    throw new LvrError('CHECKPOINT', `${file}: cannot open the ONNX model: ${(e as Error).message}`, { cause: e, details: { file } });
  }
}

import { LvrError, isLvrError, type LvrErrorCode } from '@lvr/core';
import type { PrefillRow, StepImage, StepInput, StepOutput } from '@lvr/decoding';
import type { EnginePrefillResult } from './ort-engine.js';
import type { ResolvedOrtOptions } from './ort-runtime.js';

/** Data the worker starts with. */
export interface OrtWorkerData {
  readonly dir: string;
  readonly options: ResolvedOrtOptions;
}

/** Requests the client sends (one id each; `release` gets no reply). */
export type OrtWorkerRequest =
  | { readonly id: number; readonly method: 'prefill'; readonly rows: readonly PrefillRow[] }
  | { readonly id: number; readonly method: 'step'; readonly cacheId: number; readonly inputs: readonly StepInput[] }
  | { readonly id: number; readonly method: 'encodeImages'; readonly images: readonly StepImage[] }
  | { readonly id: number; readonly method: 'release'; readonly cacheId: number }
  | { readonly id: number; readonly method: 'close' };

/** A serialised error (LvrErrors keep code and details across the thread boundary). */
export interface WireError {
  readonly code: LvrErrorCode | undefined;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>> | undefined;
}

/** Messages the worker sends. */
export type OrtWorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'open-failed'; readonly error: WireError }
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly result: EnginePrefillResult | StepOutput | Float32Array | null }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: WireError };

/** Error → wire form. */
export function toWire(e: unknown): WireError {
  if (isLvrError(e)) return { code: e.code, message: e.message, details: JSON.parse(JSON.stringify(e.details)) as Record<string, unknown> };
  return { code: undefined, message: e instanceof Error ? e.message : String(e), details: undefined };
}

/** Wire form → LvrError (non-Lvr errors become `BACKEND_UNAVAILABLE`: the worker itself failed). */
export function fromWire(w: WireError): LvrError {
  return new LvrError(w.code ?? 'BACKEND_UNAVAILABLE', w.code ? w.message : `ORT worker: ${w.message}`, { details: w.details ?? {} });
}

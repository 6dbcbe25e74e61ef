/**
 * The one error type of @lvr. Every failure a caller can act on carries a `code`, a message that names
 * the file / record / field at fault, and the underlying `cause` when there is one.
 */
export type LvrErrorCode =
  | 'CONFIG_INVALID'
  | 'INVALID_ARGUMENT'
  | 'SHAPE_MISMATCH'
  | 'BACKEND_UNAVAILABLE'
  | 'DATASET_FORMAT'
  | 'IMAGE_INVALID'
  | 'PATH_OUTSIDE_ROOT'
  | 'IO_ERROR'
  | 'TOKENIZER'
  | 'CHECKPOINT'
  | 'NUMERIC'
  | 'UNSUPPORTED';

export interface LvrErrorOptions {
  cause?: unknown;
  /** Optional structured context (file, record index, field, …) for programmatic handling. */
  details?: Readonly<Record<string, unknown>>;
}

export class LvrError extends Error {
  override readonly name = 'LvrError';
  readonly code: LvrErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: LvrErrorCode, message: string, options: LvrErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}

/**
 * True for any LvrError, including one thrown by a second copy of this package (checks `name`, not the
 * prototype chain).
 *
 * @example
 * try { parse(x); } catch (e) { if (isLvrError(e) && e.code === 'DATASET_FORMAT') skip(); else throw e; }
 */
export function isLvrError(e: unknown): e is LvrError {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'LvrError' &&
    typeof (e as { code?: unknown }).code === 'string';
}

/** Throws `INVALID_ARGUMENT` unless `cond` holds. */
export function assertArg(cond: unknown, message: string, details?: Record<string, unknown>): asserts cond {
  if (!cond) throw new LvrError('INVALID_ARGUMENT', message, details ? { details } : {});
}

import { LvrError, isLvrError, type LvrErrorCode } from '@lvr/core';

/**
 * Where a benchmark row lives: its file and either the 1-based `line` (CSV, JSONL) or the 0-based `row`
 * index (parquet).
 */
export type RowLocation =
  | { readonly file: string; readonly line: number; readonly row?: undefined }
  | { readonly file: string; readonly row: number; readonly line?: undefined };

/** `Questions.csv: line 4` or `val.parquet: row 3`. */
export function rowLabel(loc: RowLocation): string {
  return loc.line !== undefined ? `${loc.file}: line ${loc.line}` : `${loc.file}: row ${loc.row}`;
}

/** Short description of a bad value for messages (`nothing (missing)`, `null`, `"(e)"`, `an array of length 3`). */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  return `a value of type ${typeof v}`;
}

/**
 * An LvrError (default `DATASET_FORMAT`) whose message and details name the file, the row and the field:
 * `test_questions.jsonl: line 3 field "label": expected one of A..D, got "E"`.
 */
export function rowError(loc: RowLocation, field: string | undefined, message: string, opts: { code?: LvrErrorCode; cause?: unknown } = {}): LvrError {
  const where = field === undefined ? rowLabel(loc) : `${rowLabel(loc)} field "${field}"`;
  return new LvrError(opts.code ?? 'DATASET_FORMAT', `${where}: ${message}`, {
    cause: opts.cause,
    details: { file: loc.file, line: loc.line, row: loc.row, field },
  });
}

/** Re-throws a failure (missing image, path escape, …) with the row location added; keeps an LvrError's code. */
export function atRow(e: unknown, loc: RowLocation, field: string): LvrError {
  if (isLvrError(e)) return rowError(loc, field, e.message, { code: e.code, cause: e });
  return rowError(loc, field, e instanceof Error ? e.message : String(e), { code: 'IO_ERROR', cause: e });
}

/** A plain object row (JSONL line or parquet row) with its location. */
export interface RawRow {
  readonly loc: RowLocation;
  readonly value: Readonly<Record<string, unknown>>;
}

/** `value[key]` as a non-empty string (numbers are accepted and converted when `allowNumber`). */
export function stringField(row: RawRow, key: string, opts: { allowNumber?: boolean; allowEmpty?: boolean } = {}): string {
  const v = row.value[key];
  if (typeof v === 'string' && (opts.allowEmpty === true || v.trim().length > 0)) return v;
  if (opts.allowNumber === true && typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (opts.allowNumber === true && typeof v === 'bigint') return String(v);
  throw rowError(row.loc, key, `expected a non-empty ${opts.allowNumber === true ? 'string or number' : 'string'}, got ${describe(v)}`);
}

/** `value[key]` as an optional string: `undefined` when missing or null, an error for any other non-string. */
export function optionalStringField(row: RawRow, key: string): string | undefined {
  const v = row.value[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  throw rowError(row.loc, key, `expected a string or null, got ${describe(v)}`);
}

/** `value[key]` as an array of at least `min` strings (numbers are converted: BLINK and CV-Bench counts). */
export function stringArrayField(row: RawRow, key: string, min = 2): string[] {
  const v = row.value[key];
  if (!Array.isArray(v) || v.length < min) {
    throw rowError(row.loc, key, `expected an array of at least ${min} option strings, got ${describe(v)}`);
  }
  return v.map((x: unknown, i) => {
    if (typeof x === 'string') return x;
    if (typeof x === 'number' && Number.isFinite(x)) return String(x);
    throw rowError(row.loc, `${key}[${i}]`, `expected a string, got ${describe(x)}`);
  });
}

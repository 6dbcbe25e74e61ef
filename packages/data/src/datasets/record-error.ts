import { LvrError, isLvrError, type LvrErrorCode } from '@lvr/core';

/** Where a record lives: its file, 0-based index, and (JSONL) 1-based line. */
export interface RecordLocation {
  readonly file: string;
  readonly index: number;
  readonly line?: number | undefined;
}

/** `data/train.json: record 12` or `cot.jsonl: record 12 (line 14)`. */
export function recordPrefix(loc: RecordLocation): string {
  return `${loc.file}: record ${loc.index}${loc.line === undefined ? '' : ` (line ${loc.line})`}`;
}

/**
 * An LvrError whose message and details name the file, record and field:
 * `data/train.json: record 12 field "bboxes[0][2]": expected a finite number, got NaN`.
 */
export function recordError(
  code: LvrErrorCode,
  loc: RecordLocation,
  field: string | undefined,
  message: string,
  cause?: unknown,
): LvrError {
  const where = field === undefined ? recordPrefix(loc) : `${recordPrefix(loc)} field "${field}"`;
  return new LvrError(code, `${where}: ${message}`, {
    cause,
    details: { file: loc.file, index: loc.index, line: loc.line, field },
  });
}

/** Re-throws an image / path check failure with the record location added (keeps its code and cause). */
export function withLocation(e: unknown, loc: RecordLocation, field: string): LvrError {
  if (isLvrError(e)) return recordError(e.code, loc, field, e.message, e);
  return recordError('IO_ERROR', loc, field, e instanceof Error ? e.message : String(e), e);
}

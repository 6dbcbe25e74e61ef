import { LvrError } from '@lvr/core';

/** One CSV record: its fields and the 1-based line it starts on (the header is line 1). */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

/** A parsed CSV file. */
export interface CsvTable {
  readonly header: readonly string[];
  readonly records: readonly CsvRecord[];
}

/**
 * Parses RFC 4180 CSV: comma-separated, `"`-quoted fields that may hold commas, newlines and doubled
 * quotes, LF or CRLF line ends. Blank lines are skipped. A record whose field count differs from the
 * header's, or an unterminated quote, is a `DATASET_FORMAT` error naming `file` and the line.
 *
 * @example
 * parseCsv('Index,Question\n1,"Open, or closed?"\n', 'Questions.csv').records[0];
 * // { line: 2, fields: ['1', 'Open, or closed?'] }
 */
export function parseCsv(text: string, file: string): CsvTable {
  const rows: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  let fieldStarted = false;
  const endField = (): void => {
    fields.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = (): void => {
    endField();
    if (!(fields.length === 1 && fields[0] === '')) rows.push({ line: start, fields });
    fields = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && !fieldStarted && field.length === 0) {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) {
    throw new LvrError('DATASET_FORMAT', `${file}: line ${start}: unterminated quoted field`, { details: { file, line: start } });
  }
  if (field.length > 0 || fields.length > 0) endRecord();
  const [head, ...records] = rows;
  if (head === undefined) throw new LvrError('DATASET_FORMAT', `${file}: empty CSV file (no header)`, { details: { file } });
  for (const r of records) {
    if (r.fields.length !== head.fields.length) {
      throw new LvrError(
        'DATASET_FORMAT',
        `${file}: line ${r.line}: expected ${head.fields.length} fields (${head.fields.join(',')}), got ${r.fields.length}`,
        { details: { file, line: r.line } },
      );
    }
  }
  return { header: head.fields.map((h) => h.trim()), records };
}

import { readFile, stat } from 'node:fs/promises';
import { LvrError } from '@lvr/core';
import { describe, rowError, type RawRow } from './location.js';

/** Reads a UTF-8 text file (BOM stripped); `IO_ERROR` naming the file when it cannot be read. */
export async function readTextFile(file: string, what = 'file'): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? String(cause)})`;
    throw new LvrError('IO_ERROR', `${file}: ${what} ${why}`, { cause, details: { file } });
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The objects of a JSONL file with their 1-based line numbers; blank lines are skipped. A line that is not
 * valid JSON, or not a JSON object, is a `DATASET_FORMAT` error naming the file and line.
 */
export async function readJsonLines(file: string): Promise<RawRow[]> {
  const text = await readTextFile(file, 'JSONL file');
  const rows: RawRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw.length === 0) continue;
    const loc = { file, line: i + 1 };
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (cause) {
      throw rowError(loc, undefined, `invalid JSON (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw rowError(loc, undefined, `expected a JSON object, got ${describe(value)}`);
    }
    rows.push({ loc, value: value as Record<string, unknown> });
  }
  return rows;
}

/** Whether a path exists (see `@lvr/core`). */
export { pathExists } from '@lvr/core';

/** Throws `IO_ERROR` naming `path` unless it is a readable regular file. */
export async function assertFile(path: string, what = 'image file'): Promise<void> {
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? String(cause)})`;
    throw new LvrError('IO_ERROR', `${what} ${why}: ${path}`, { cause, details: { file: path } });
  }
  if (!isFile) throw new LvrError('IO_ERROR', `${what} is not a regular file: ${path}`, { details: { file: path } });
}

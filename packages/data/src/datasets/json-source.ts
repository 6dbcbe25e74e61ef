import { readFile } from 'node:fs/promises';
import { LvrError } from '@lvr/core';

/** Reads a UTF-8 text file (BOM stripped); `IO_ERROR` naming the file when it cannot be read. */
export async function readTextFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : 'cannot be read';
    throw new LvrError('IO_ERROR', `${file}: ${why}`, { cause, details: { file } });
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** 1-based line and column of a character offset. */
export function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lastNewline = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lastNewline = i;
    }
  }
  return { line, column: offset - lastNewline };
}

/**
 * Offset of the first JSON syntax error in `text` (or `text.length` for a premature end), or -1 when the
 * text is valid. Only run after `JSON.parse` has failed: V8 does not always report a position.
 */
export function locateJsonError(text: string): number {
  let i = 0;
  const n = text.length;
  const ws = (): void => {
    while (i < n && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = (): void => {
    i++; // opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 32) fail();
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail();
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail();
      } else i++;
    }
    fail();
  };
  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0].length === 0) fail();
    i += (m as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail();
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else fail();
  };
  try {
    value();
    ws();
    return i < n ? i : -1;
  } catch (pos) {
    // A non-number is e.g. a stack overflow on absurd nesting: the position is then simply unknown.
    return typeof pos === 'number' ? Math.min(pos, n) : -1;
  }
}

/**
 * `JSON.parse` with a `DATASET_FORMAT` error naming `where` (a file, or `file: line 7`) and, when it can be
 * located, the line and column of the syntax error; the parser's error is the cause.
 */
export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    const offset = locateJsonError(text);
    const pos = offset < 0 ? '' : (() => {
      const { line, column } = lineColumnOf(text, offset);
      return ` at line ${line} column ${column}`;
    })();
    const reason = (cause instanceof Error ? cause.message : String(cause)).replace(/\s+/g, ' ');
    throw new LvrError('DATASET_FORMAT', `${where}: invalid JSON${pos} (${reason})`, {
      cause,
      details: { file: where, offset: offset < 0 ? undefined : offset },
    });
  }
}

/** Reads a JSON file whose top level must be an array (`DATASET_FORMAT` otherwise). */
export async function readJsonArray(file: string): Promise<unknown[]> {
  const value = parseJson(await readTextFile(file), file);
  if (!Array.isArray(value)) {
    const got = value === null ? 'null' : typeof value;
    throw new LvrError('DATASET_FORMAT', `${file}: expected a JSON array of records at the top level, got ${got}`, {
      details: { file },
    });
  }
  return value;
}

/** One non-blank line of a JSONL file. */
export interface JsonLine {
  /** 0-based ordinal among the non-blank lines (the record index). */
  readonly index: number;
  /** 1-based line number in the file. */
  readonly line: number;
  readonly text: string;
}

/** Splits JSONL text into its non-blank lines (accepts `\n` and `\r\n`). */
export function splitJsonLines(text: string): JsonLine[] {
  const out: JsonLine[] = [];
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const t = (lines[k] as string).replace(/\r$/, '');
    if (t.trim().length === 0) continue;
    out.push({ index: out.length, line: k + 1, text: t });
  }
  return out;
}

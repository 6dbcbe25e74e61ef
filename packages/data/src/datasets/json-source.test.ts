import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LvrError } from '@lvr/core';
import { lineColumnOf, locateJsonError, parseJson, readJsonArray, splitJsonLines } from './json-source.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-json-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('locateJsonError', () => {
  it('returns -1 for valid JSON', () => {
    for (const t of ['[]', '{"a":[1,-2.5e3,"x\\n\\u00e9",true,false,null]}', ' [ {} ] ', '"s"', '0']) {
      expect(locateJsonError(t)).toBe(-1);
      expect(() => JSON.parse(t)).not.toThrow();
    }
  });

  it.each([
    ['{"a":}', 5],
    ['[1,2,,3]', 5],
    ['[1, NaN]', 4],
    ['[{"a":1}\n,\n{"b" 2}]', 16],
    ['[1,2', 4],
    ['["abc]', 6],
    ['[1] x', 4],
    ['[01]', 2],
    ['{"a":1,}', 7],
  ])('%j → offset %i', (text, offset) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(locateJsonError(text)).toBe(offset);
  });

  it('lineColumnOf counts 1-based lines and columns', () => {
    expect(lineColumnOf('ab\ncd\nef', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumnOf('ab\ncd\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumnOf('ab\ncd\nef', 6)).toEqual({ line: 3, column: 1 });
  });
});

describe('parseJson / readJsonArray', () => {
  it('names the place and the line/column of a syntax error, with the parser error as cause', () => {
    const text = '[\n  {"a": 1},\n  {"b": NaN}\n]';
    try {
      parseJson(text, 'data/train.json');
      expect.fail('should throw');
    } catch (e) {
      expect(e).toBeInstanceOf(LvrError);
      expect((e as LvrError).code).toBe('DATASET_FORMAT');
      expect((e as LvrError).message).toMatch(/^data\/train\.json: invalid JSON at line 3 column 9 \(/);
      expect((e as LvrError).cause).toBeInstanceOf(SyntaxError);
    }
  });

  it('requires a top-level array and strips a BOM', async () => {
    const obj = join(dir, 'obj.json');
    await writeFile(obj, '{"a": 1}');
    await expect(readJsonArray(obj)).rejects.toThrow(/expected a JSON array of records at the top level, got object/);
    const bom = join(dir, 'bom.json');
    await writeFile(bom, '\ufeff[1, 2]');
    await expect(readJsonArray(bom)).resolves.toEqual([1, 2]);
  });

  it('a missing file is IO_ERROR naming it', async () => {
    const missing = join(dir, 'nope.json');
    await expect(readJsonArray(missing)).rejects.toMatchObject({ code: 'IO_ERROR', message: `${missing}: file not found` });
  });
});

describe('splitJsonLines', () => {
  it('skips blank lines, keeps 1-based line numbers and handles CRLF', () => {
    expect(splitJsonLines('{"a":1}\r\n\n  \n{"b":2}\n')).toEqual([
      { index: 0, line: 1, text: '{"a":1}' },
      { index: 1, line: 4, text: '{"b":2}' },
    ]);
  });
});

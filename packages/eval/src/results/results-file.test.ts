import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { McqItem } from '../item.js';
import { makeResult } from './record.js';
import { appendResult, openResults, readResults } from './results-file.js';

const item = (i: number): McqItem => ({ id: `vstar-${i}`, benchmark: 'vstar', images: [], question: 'q', options: ['a', 'b'], answer: 'A', category: 'direct_attributes' });
const rec = (i: number) => makeResult(item(i), i % 2 === 0 ? 'A' : 'B');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-results-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('results JSONL', () => {
  it('appends one line per record and reads them back', async () => {
    const path = join(dir, 'sub/r.jsonl');
    for (let i = 0; i < 3; i++) await appendResult(path, rec(i));
    expect(await readResults(path)).toEqual([rec(0), rec(1), rec(2)]);
    expect((await readFile(path, 'utf8')).split('\n')).toHaveLength(4);
  });

  it('a torn last line (killed write) is ignored by readResults and cut by openResults', async () => {
    const path = join(dir, 'r.jsonl');
    await appendResult(path, rec(0));
    await appendFile(path, JSON.stringify(rec(1)).slice(0, 25));
    expect(await readResults(path)).toEqual([rec(0)]);
    expect(await openResults(path)).toEqual([rec(0)]);
    await appendResult(path, rec(2));
    expect(await readResults(path)).toEqual([rec(0), rec(2)]);
  });

  it('a valid last line without its newline is a record; openResults adds the newline', async () => {
    const path = join(dir, 'r.jsonl');
    await writeFile(path, `${JSON.stringify(rec(0))}\n${JSON.stringify(rec(1))}`);
    expect(await readResults(path)).toEqual([rec(0), rec(1)]);
    expect(await openResults(path)).toEqual([rec(0), rec(1)]);
    await appendResult(path, rec(2));
    expect(await readResults(path)).toEqual([rec(0), rec(1), rec(2)]);
  });

  it('a bad line in the middle is DATASET_FORMAT naming file and line; a missing file is IO_ERROR (openResults: empty)', async () => {
    const path = join(dir, 'r.jsonl');
    await writeFile(path, `${JSON.stringify(rec(0))}\n{"id": "x", trunc\n${JSON.stringify(rec(1))}\n`);
    await expect(readResults(path)).rejects.toMatchObject({ code: 'DATASET_FORMAT', message: expect.stringMatching(/r\.jsonl: line 2: invalid JSON in the middle/) });
    await writeFile(path, `${JSON.stringify({ ...rec(0), correct: null })}\n`);
    await expect(openResults(path)).rejects.toThrow(/line 1 field "correct"/);
    await expect(readResults(join(dir, 'none.jsonl'))).rejects.toMatchObject({ code: 'IO_ERROR' });
    expect(await openResults(join(dir, 'none.jsonl'))).toEqual([]);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSyntheticTestSet } from './test-set.js';

const good = { id: 't1', image: 'images/t1.png', question: 'q ?', options: ['red', 'blue'], answer: 'B', answer_word: 'blue', category: 'c', task: 'attribute', pair_id: null, roi: [0, 0, 0.5, 0.5] };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-testset-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(lines: string[]) {
  await writeFile(join(dir, 'test.jsonl'), lines.join('\n'));
  return readSyntheticTestSet(dir);
}

describe('readSyntheticTestSet', () => {
  it('reads valid lines and skips blank ones', async () => {
    expect(await read([JSON.stringify(good), '', JSON.stringify({ ...good, id: 't2', pair_id: 'p' })])).toHaveLength(2);
  });

  it.each([
    ['{not json', 'line 2: invalid JSON'],
    [JSON.stringify({ ...good, options: ['red'] }), 'line 2 field "options": expected an array of at least 2 strings, got an array of length 1'],
    [JSON.stringify({ ...good, answer: 'C' }), 'line 2 field "answer": expected a letter A..B, got "C"'],
    [JSON.stringify({ ...good, answer_word: 'red' }), 'line 2 field "answer_word"'],
    [JSON.stringify({ ...good, roi: [0, 0, null, 1] }), 'line 2 field "roi[2]": expected a finite number, got null'],
    [JSON.stringify({ ...good, roi: [0.6, 0, 0.5, 1] }), 'line 2 field "roi": x0 = 0.6 > x1 = 0.5'],
    [JSON.stringify({ ...good, question: '' }), 'line 2 field "question"'],
    ['[1, 2]', 'line 2: expected a JSON object, got an array of length 2'],
    [JSON.stringify({ ...good, pair_id: undefined }), 'line 2 field "pair_id": expected a string or null, got nothing (missing)'],
    [JSON.stringify({ ...good, rois: Array.from({ length: 2000 }, () => [0, 0, 1, 1]) }), 'line 2 field "rois": 2000 boxes; a record may hold at most 1024'],
  ])('rejects %s', async (line, msg) => {
    await expect(read([JSON.stringify(good), line])).rejects.toMatchObject({ code: 'DATASET_FORMAT', message: expect.stringContaining(msg) });
  });

  it('names the file when it is missing', async () => {
    await expect(readSyntheticTestSet(join(dir, 'nope'))).rejects.toMatchObject({ code: 'IO_ERROR', message: expect.stringContaining('test.jsonl') });
  });
});

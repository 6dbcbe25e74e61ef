import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cvBenchParquetSpec, jsonl, put, tinyImage } from '../fixtures/benchmark-fixtures.js';
import { loadCvBench } from './cvbench.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-cvbench-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const row2d = {
  idx: 0,
  type: '2D',
  task: 'Count',
  question: 'How many pictures are in the image?',
  choices: ['3', '2', '1', '0'],
  answer: '(C)',
  prompt: 'How many pictures are in the image? Select from the following choices.\n(A) 3\n(B) 2\n(C) 1\n(D) 0',
  filename: 'img/2D/count/ade20k_10.png',
  source: 'ADE20K',
  source_dataset: 'ADE20K Validation Set',
  target_class: 'picture',
};
const row3d = { ...row2d, idx: 0, type: '3D', task: 'Depth', question: 'Which is closer to the camera?', choices: ['the lamp', 'the chair'], answer: '(B)', filename: 'img/3D/depth/omni3d_1.png', source: 'Omni3D' };

describe('loadCvBench', () => {
  it('reads test_2d / test_3d JSONL with images from filename; category = task, groups = source and type', async () => {
    await put(join(dir, 'test_2d.jsonl'), jsonl([row2d, { ...row2d, idx: 1, source: 'COCO', filename: 'img/2D/count/coco_1.png', answer: '(A)' }]));
    await put(join(dir, 'test_3d.jsonl'), jsonl([row3d]));
    for (const f of ['img/2D/count/ade20k_10.png', 'img/2D/count/coco_1.png', 'img/3D/depth/omni3d_1.png']) await put(join(dir, f), await tinyImage([1, 2, 3]));
    const items = await loadCvBench(dir);
    expect(items.map((i) => [i.id, i.category, i.groups, i.answer])).toEqual([
      ['cvbench-2d-0', 'Count', { source: 'ADE20K', type: '2D' }, 'C'],
      ['cvbench-2d-1', 'Count', { source: 'COCO', type: '2D' }, 'A'],
      ['cvbench-3d-0', 'Depth', { source: 'Omni3D', type: '3D' }, 'B'],
    ]);
    expect(items[0]).toMatchObject({ benchmark: 'cvbench', question: 'How many pictures are in the image?', options: ['3', '2', '1', '0'] });
    expect(items[0]!.images).toEqual([{ kind: 'file', path: join(dir, 'img/2D/count/ade20k_10.png') }]);
    expect(items[0]!.meta).toMatchObject({ target_class: 'picture', filename: 'img/2D/count/ade20k_10.png' });
  });

  it('reads parquet with int64 idx and image structs', async () => {
    const png = await tinyImage([9, 9, 9]);
    const spec = cvBenchParquetSpec([
      { idx: 7n, type: '2D', task: 'Relation', image: { bytes: png, path: 'x.png' }, question: 'Is the cat left of the dog?', choices: ['left', 'right'], answer: '(A)', filename: 'img/2D/relation/coco_7.png', source: 'COCO' },
    ]);
    await put(join(dir, 'test_2d.parquet'), new Uint8Array(parquetWriteBuffer(spec as Parameters<typeof parquetWriteBuffer>[0])));
    const [item] = await loadCvBench(dir);
    expect(item).toMatchObject({ id: 'cvbench-2d-7', category: 'Relation', groups: { source: 'COCO', type: '2D' }, answer: 'A' });
    expect(item!.images[0]).toMatchObject({ kind: 'bytes', name: 'x.png' });
  });

  it('bad rows and missing files are errors naming the file, line and field', async () => {
    await put(join(dir, 'test_2d.jsonl'), jsonl([row2d, { ...row2d, idx: 2, source: undefined }]));
    await put(join(dir, 'img/2D/count/ade20k_10.png'), await tinyImage([1, 2, 3]));
    await expect(loadCvBench(dir)).rejects.toMatchObject({ code: 'DATASET_FORMAT', message: expect.stringMatching(/test_2d\.jsonl: line 2 field "source": expected a non-empty string, got nothing/) });
    await put(join(dir, 'test_2d.jsonl'), jsonl([{ ...row2d, choices: ['only one'] }]));
    await expect(loadCvBench(dir)).rejects.toThrow(/line 1 field "choices": expected an array of at least 2 option strings/);
    await put(join(dir, 'test_2d.jsonl'), jsonl([row2d, row2d]));
    await expect(loadCvBench(dir)).rejects.toThrow(/line 2 field "idx": duplicate idx \(item cvbench-2d-0 first in test_2d\.jsonl\)/);
    await rm(join(dir, 'test_2d.jsonl'));
    await expect(loadCvBench(dir)).rejects.toMatchObject({ code: 'IO_ERROR', message: expect.stringMatching(/no CV-Bench files/) });
  });
});

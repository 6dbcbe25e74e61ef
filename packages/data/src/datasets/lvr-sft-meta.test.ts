import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setLogSink } from '@lvr/core';
import { readLvrSftMeta } from './lvr-sft-meta.js';

let dir = '';
let n = 0;

const record = (image: string, box = [0.1, 0.1, 0.4, 0.4]): Record<string, unknown> => ({
  image,
  conversations: [
    { from: 'human', value: '<image>\nWhat colour?' },
    { from: 'gpt', value: '<lvr>\n<answer> red </answer>' },
  ],
  bboxes: [box],
});

async function meta(value: unknown): Promise<string> {
  const p = join(dir, `meta-${n++}.json`);
  await writeFile(p, JSON.stringify(value));
  return p;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-meta-'));
  for (const ds of ['ds1', 'ds2']) {
    await mkdir(join(dir, ds, 'imgs'), { recursive: true });
    await sharp({ create: { width: 4, height: 4, channels: 3, background: '#00ff00' } }).png().toFile(join(dir, ds, 'imgs', 'x.png'));
  }
  await writeFile(join(dir, 'ds1', 'train.json'), JSON.stringify([record('x.png'), record('x.png')]));
  await writeFile(join(dir, 'ds2', 'train.json'), JSON.stringify([record('x.png'), record('../../ds1/imgs/x.png')]));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readLvrSftMeta', () => {
  it('reads every listed dataset with paths relative to the meta file', async () => {
    const m = await meta([
      { data_path: 'ds1/train.json', image_folder: 'ds1/imgs', ds_name: 'one', repeat_time: 2 },
      { data_path: join(dir, 'ds2', 'train.json'), image_folder: join(dir, 'ds2', 'imgs'), ds_name: 'two' },
    ]);
    const prev = setLogSink(() => undefined);
    try {
      const sets = await readLvrSftMeta(m, { onInvalid: 'skip' });
      expect(sets.map((s) => [s.dsName, s.records.length, s.skipped.length])).toEqual([['one', 2, 0], ['two', 1, 1]]);
      expect(sets[0]).toMatchObject({ dataPath: join(dir, 'ds1', 'train.json'), imageFolder: join(dir, 'ds1', 'imgs'), extra: { repeat_time: 2 } });
      expect(sets[0]?.records[0]?.images).toEqual([join(dir, 'ds1', 'imgs', 'x.png')]);
      // the second dataset may not reach into the first dataset's folder
      expect(sets[1]?.skipped[0]).toMatchObject({ index: 1, field: 'image', code: 'PATH_OUTSIDE_ROOT' });
    } finally {
      setLogSink(prev);
    }
  });

  it('with onInvalid error (default) the escaping record fails the read', async () => {
    const m = await meta([{ data_path: 'ds2/train.json', image_folder: 'ds2/imgs', ds_name: 'two' }]);
    await expect(readLvrSftMeta(m)).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT', message: expect.stringContaining('record 1 field "image"') });
  });

  it.each([
    ['duplicate ds_name', [{ data_path: 'ds1/train.json', image_folder: 'ds1/imgs', ds_name: 'a' }, { data_path: 'ds2/train.json', image_folder: 'ds2/imgs', ds_name: 'a' }], /record 1 field "ds_name": "a" is already used by entry 0; ds_name must be unique/],
    ['missing data_path', [{ image_folder: 'ds1/imgs', ds_name: 'a' }], /record 0 field "data_path": expected a non-empty string, got nothing/],
    ['image_folder of a wrong type', [{ data_path: 'ds1/train.json', image_folder: 3, ds_name: 'a' }], /record 0 field "image_folder": expected a non-empty string, got 3/],
    ['empty ds_name', [{ data_path: 'ds1/train.json', image_folder: 'ds1/imgs', ds_name: '' }], /record 0 field "ds_name"/],
    ['entry not an object', ['ds1/train.json'], /record 0: expected a JSON object/],
    ['no entries', [], /lists no datasets/],
    ['not an array', { data_path: 'x' }, /expected a JSON array/],
  ])('%s → DATASET_FORMAT', async (_name, value, pattern) => {
    const m = await meta(value);
    await expect(readLvrSftMeta(m)).rejects.toMatchObject({ code: 'DATASET_FORMAT', message: expect.stringMatching(pattern) });
  });

  it('a missing dataset file or image folder is IO_ERROR', async () => {
    const m1 = await meta([{ data_path: 'nope.json', image_folder: 'ds1/imgs', ds_name: 'a' }]);
    await expect(readLvrSftMeta(m1)).rejects.toMatchObject({ code: 'IO_ERROR', message: expect.stringContaining('nope.json: file not found') });
    const m2 = await meta([{ data_path: 'ds1/train.json', image_folder: 'nope', ds_name: 'a' }]);
    await expect(readLvrSftMeta(m2)).rejects.toMatchObject({ code: 'IO_ERROR', message: expect.stringContaining('does not exist') });
  });
});

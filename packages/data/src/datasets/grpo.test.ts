import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGrpoDataset, writeGrpoDataset } from './grpo.js';
import type { GrpoRecord } from './types.js';

let dir = '';
let images = '';
let n = 0;

async function jsonFile(value: unknown): Promise<string> {
  const p = join(dir, `grpo-${n++}.json`);
  await writeFile(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
}

const good = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'q1',
  image: 'img/1.png',
  conversations: [
    { from: 'human', value: '<image>\nHow many circles are there?' },
    { from: 'gpt', value: '<answer>4</answer>' },
  ],
  ...over,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-grpo-'));
  images = join(dir, 'images');
  await mkdir(join(images, 'img'), { recursive: true });
  await sharp({ create: { width: 6, height: 6, channels: 3, background: '#123456' } }).png().toFile(join(images, 'img', '1.png'));
  await writeFile(join(images, 'img', 'bad.png'), 'definitely not a png');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readGrpoDataset', () => {
  it('reads a record and removes <image> with its newlines from the question', async () => {
    const file = await jsonFile([good(), good({ id: 2, image: ['img/1.png'], conversations: [{ from: 'human', value: 'Q\n<image>\nmore' }, { from: 'gpt', value: '<answer>B</answer>' }], split: 'val' })]);
    const { records, skipped } = await readGrpoDataset(file, { imageFolder: images, checkImages: 'decode' });
    expect(skipped).toEqual([]);
    expect(records).toEqual([
      { index: 0, id: 'q1', image: join(images, 'img', '1.png'), question: 'How many circles are there?', answer: '<answer>4</answer>', extra: {} },
      { index: 1, id: '2', image: join(images, 'img', '1.png'), question: 'Qmore', answer: '<answer>B</answer>', extra: { split: 'val' } },
    ]);
  });

  it('round-trips write → read', async () => {
    const src: GrpoRecord[] = [
      { index: 0, id: 'a', image: join(images, 'img', '1.png'), question: 'Is it red?', answer: '<answer>A</answer>', extra: { dataset: 'syn', k: [1] } },
      { index: 1, id: 'b', image: join(images, 'img', '1.png'), question: 'Count.', answer: '<answer>three</answer>', extra: {} },
    ];
    const out = join(dir, 'out', 'grpo.json');
    await writeGrpoDataset(out, src, { imageFolder: images });
    expect(JSON.parse(await readFile(out, 'utf8'))[0]).toEqual({
      id: 'a',
      image: 'img/1.png',
      conversations: [{ from: 'human', value: 'Is it red?' }, { from: 'gpt', value: '<answer>A</answer>' }],
      dataset: 'syn',
      k: [1],
    });
    await expect(readGrpoDataset(out, { imageFolder: images })).resolves.toEqual({ records: src, skipped: [] });
  });

  it.each<[string, unknown, string, RegExp]>([
    ['not an object', [1], 'DATASET_FORMAT', /record 1: expected a JSON object/],
    ['no image', good({ image: undefined }), 'DATASET_FORMAT', /record 1 field "image": expected an image path, got nothing/],
    ['two images', good({ image: ['img/1.png', 'img/1.png'] }), 'DATASET_FORMAT', /field "image": expected exactly one image, got 2/],
    ['three turns', good({ conversations: [{ from: 'human', value: 'Q' }, { from: 'gpt', value: 'A' }, { from: 'human', value: 'Q' }] }), 'DATASET_FORMAT', /field "conversations": the last human turn/],
    ['four turns', good({ conversations: [{ from: 'human', value: 'Q' }, { from: 'gpt', value: 'A' }, { from: 'human', value: 'Q' }, { from: 'gpt', value: 'A' }] }), 'DATASET_FORMAT', /expected exactly 2 turns/],
    ['answer not a string', good({ conversations: [{ from: 'human', value: 'Q' }, { from: 'gpt', value: 4 }] }), 'DATASET_FORMAT', /field "conversations\[1\]\.value": expected a string, got 4/],
    ['<image> left by removing <image>', good({ conversations: [{ from: 'human', value: '<ima<image>ge> How many?' }, { from: 'gpt', value: 'A' }] }), 'DATASET_FORMAT', /field "conversations\[0\]\.value": removing <image> leaves another <image>/],
    ['empty question', good({ conversations: [{ from: 'human', value: '<image>\n' }, { from: 'gpt', value: 'A' }] }), 'DATASET_FORMAT', /field "conversations\[0\]\.value": the question is empty/],
    ['<lvr> in the answer', good({ conversations: [{ from: 'human', value: 'Q' }, { from: 'gpt', value: '<lvr>A' }] }), 'DATASET_FORMAT', /<lvr> is not allowed in GRPO data/],
    ['traversal', good({ image: '../../etc/passwd' }), 'PATH_OUTSIDE_ROOT', /field "image": image path "\.\.\/\.\.\/etc\/passwd"/],
    ['missing image', good({ image: 'img/none.png' }), 'IO_ERROR', /field "image": image file not found/],
  ])('%s', async (_name, bad, code, pattern) => {
    const file = await jsonFile([good(), bad]);
    await expect(readGrpoDataset(file, { imageFolder: images })).rejects.toMatchObject({
      code,
      message: expect.stringMatching(pattern),
      details: expect.objectContaining({ file, index: 1 }),
    });
  });

  it('corrupt image bytes → IMAGE_INVALID (decode); skip mode collects it', async () => {
    const file = await jsonFile([good(), good({ id: 'bad', image: 'img/bad.png' })]);
    await expect(readGrpoDataset(file, { imageFolder: images, checkImages: 'decode' })).rejects.toMatchObject({ code: 'IMAGE_INVALID' });
    const { records, skipped } = await readGrpoDataset(file, { imageFolder: images, checkImages: 'decode', onInvalid: 'skip' });
    expect(records.map((r) => r.id)).toEqual(['q1']);
    expect(skipped).toMatchObject([{ index: 1, id: 'bad', field: 'image', code: 'IMAGE_INVALID' }]);
  });

  it('malformed JSON → DATASET_FORMAT', async () => {
    const file = await jsonFile('[{"image": "img/1.png",}]');
    await expect(readGrpoDataset(file, { imageFolder: images })).rejects.toMatchObject({
      code: 'DATASET_FORMAT',
      message: expect.stringContaining('invalid JSON at line 1 column 24'),
    });
  });

  it('the writer refuses a question containing <image> and images outside the folder', async () => {
    const rec: GrpoRecord = { index: 0, id: 'a', image: join(images, 'img', '1.png'), question: '<image>\nQ', answer: 'A', extra: {} };
    await expect(writeGrpoDataset(join(dir, 'w.json'), [rec], { imageFolder: images })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      writeGrpoDataset(join(dir, 'w.json'), [{ ...rec, question: 'Q', image: join(dir, 'x.png') }], { imageFolder: images }),
    ).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
  });
});

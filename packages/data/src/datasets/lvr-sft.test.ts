import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng, setLogSink, type LogRecord, type ProgressEvent } from '@lvr/core';
import { readLvrSftDataset, writeLvrSftDataset } from './lvr-sft.js';
import type { LvrSftRecord } from './types.js';

let dir = '';
let images = '';
let n = 0;

async function png(path: string, width = 8, height = 6): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 10 } } }).png().toFile(path);
}

/** Writes `value` (or raw text) to a fresh JSON file in the temp dir and returns its path. */
async function jsonFile(value: unknown): Promise<string> {
  const p = join(dir, `data-${n++}.json`);
  await writeFile(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
}

const good = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  dataset: 'viscot',
  split: 'train',
  question_id: 7,
  image: ['a.png'],
  conversations: [
    { from: 'human', value: '<image>\nCan you describe the child?\nProvide a short and direct response.' },
    { from: 'gpt', value: '<lvr>\n<answer> The child is smiling </answer>' },
  ],
  bboxes: [[0.382, 0.456, 0.718, 0.656]],
  ...over,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-sft-'));
  images = join(dir, 'images');
  await mkdir(join(images, 'sub'), { recursive: true });
  await png(join(images, 'a.png'));
  await png(join(images, 'sub', 'b.png'), 5, 9);
  const rng = new Rng('corrupt-bytes');
  await writeFile(join(images, 'corrupt.png'), Uint8Array.from({ length: 64 }, () => rng.int(256)));
  await writeFile(join(dir, 'outside.png'), await readFile(join(images, 'a.png')));
  await symlink(join(dir, 'outside.png'), join(images, 'escape.png'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readLvrSftDataset — valid data', () => {
  it('reads the reference README record', async () => {
    const file = await jsonFile([good()]);
    const { records, skipped } = await readLvrSftDataset(file, { imageFolder: images });
    expect(skipped).toEqual([]);
    expect(records).toEqual([
      {
        index: 0,
        id: '7',
        images: [join(images, 'a.png')],
        conversations: good().conversations,
        bboxes: [[0.382, 0.456, 0.718, 0.656]],
        extra: { dataset: 'viscot', split: 'train', question_id: 7 },
      },
    ]);
  });

  it('round-trips write → read (multi-image, several boxes, text-only, extras)', async () => {
    const src: LvrSftRecord[] = [
      { index: 0, id: 'one', images: [join(images, 'a.png')], conversations: good().conversations as LvrSftRecord['conversations'], bboxes: [[0, 0, 1, 1]], extra: { task: 'color' } },
      {
        index: 1,
        id: 'two',
        images: [join(images, 'a.png'), join(images, 'sub', 'b.png')],
        conversations: [
          { from: 'human', value: '<image>\n<image>\nCompare.' },
          { from: 'gpt', value: '<lvr>\n<lvr>\n<answer> B </answer>' },
          { from: 'human', value: 'Sure?' },
          { from: 'gpt', value: 'Yes.' },
        ],
        bboxes: [[0.1, 0.2, 0.3, 0.4], [0.5, 0.5, 0.5, 0.5]],
        extra: { nested: { a: [1, 2] } },
      },
      { index: 2, id: 'three', images: [], conversations: [{ from: 'human', value: 'Hi' }, { from: 'gpt', value: 'Hello' }], bboxes: [], extra: {} },
    ];
    const out = join(dir, 'written', 'train.json');
    await writeLvrSftDataset(out, src, { imageFolder: images });
    const text = await readFile(out, 'utf8');
    expect(text).toContain('"image": "a.png"'); // one image → a string, relative, '/'-separated
    expect(text).toContain('"sub/b.png"');
    const back = await readLvrSftDataset(out, { imageFolder: images, checkImages: 'decode' });
    expect(back).toEqual({ records: src, skipped: [] });
  });

  it('an own "__proto__" field stays a field of extra (not its prototype) and is written back', async () => {
    const text = JSON.stringify([good()]).replace('"dataset":', '"__proto__": {"polluted": true}, "dataset":');
    const { records } = await readLvrSftDataset(await jsonFile(text), { imageFolder: images });
    const extra = records[0]!.extra;
    expect(Object.getPrototypeOf(extra)).toBe(Object.prototype);
    expect(Object.keys(extra)).toEqual(['__proto__', 'dataset', 'split', 'question_id']);
    expect(Object.getOwnPropertyDescriptor(extra, '__proto__')?.value).toEqual({ polluted: true });
    expect((extra as { polluted?: unknown }).polluted).toBeUndefined();
    const out = join(dir, 'written', 'proto.json');
    await writeLvrSftDataset(out, records, { imageFolder: images });
    expect(await readFile(out, 'utf8')).toContain('"__proto__": {');
    const back = (await readLvrSftDataset(out, { imageFolder: images })).records[0]!.extra;
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toEqual({ polluted: true });
  });

  it('decode mode accepts real PNGs; exists mode does not decode', async () => {
    const file = await jsonFile([good(), good({ image: 'corrupt.png' })]);
    await expect(readLvrSftDataset(file, { imageFolder: images, checkImages: 'exists' })).resolves.toMatchObject({ skipped: [] });
    await expect(readLvrSftDataset(file, { imageFolder: images, checkImages: 'none' })).resolves.toMatchObject({ skipped: [] });
  });

  it('reports progress start / progress / done', async () => {
    const file = await jsonFile(Array.from({ length: 5 }, () => good()));
    const events: ProgressEvent[] = [];
    await readLvrSftDataset(file, { imageFolder: images, onProgress: (e) => events.push(e) });
    expect(events[0]).toMatchObject({ status: 'start', total: 5 });
    expect(events.at(-1)).toMatchObject({ status: 'done', done: 5 });
    expect(events.filter((e) => e.status === 'progress').length).toBeGreaterThan(0);
  });
});

describe('readLvrSftDataset — bad input (error names file, record and field)', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['not an object', 5, 'DATASET_FORMAT', /record 1: expected a JSON object, got 5/],
    ['missing conversations', good({ conversations: undefined }), 'DATASET_FORMAT', /record 1 field "conversations": expected a non-empty array of turns, got nothing/],
    ['conversations wrong type', good({ conversations: 'hi' }), 'DATASET_FORMAT', /field "conversations": .* got "hi"/],
    ['turn not an object', good({ conversations: [3, 4] }), 'DATASET_FORMAT', /field "conversations\[0\]": expected an object/],
    ['unknown role', good({ conversations: [{ from: 'user', value: '<image>' }, { from: 'gpt', value: '<lvr>' }] }), 'DATASET_FORMAT', /field "conversations\[0\]\.from": expected "human" or "gpt", got "user"/],
    ['starts with gpt', good({ conversations: [{ from: 'gpt', value: '<lvr>' }, { from: 'human', value: '<image>' }] }), 'DATASET_FORMAT', /field "conversations\[0\]\.from": expected "human" \(turns alternate human, gpt, … starting with human\), got "gpt"$/],
    ['value not a string', good({ conversations: [{ from: 'human', value: '<image>' }, { from: 'gpt', value: 4 }] }), 'DATASET_FORMAT', /field "conversations\[1\]\.value": expected a string, got 4/],
    ['unpaired human turn', good({ conversations: [...(good().conversations as unknown[]), { from: 'human', value: 'more?' }] }), 'DATASET_FORMAT', /field "conversations": the last human turn \(conversations\[2\]\) has no gpt answer/],
    ['image wrong type', good({ image: 3 }), 'DATASET_FORMAT', /field "image": expected a path or a non-empty array of paths, got 3/],
    ['image empty list', good({ image: [] }), 'DATASET_FORMAT', /field "image": .* got an array of length 0/],
    ['image list item', good({ image: ['a.png', 3], conversations: [{ from: 'human', value: '<image><image>' }, { from: 'gpt', value: '<lvr>' }] }), 'DATASET_FORMAT', /field "image\[1\]": expected a non-empty path, got 3/],
    ['bboxes not an array', good({ bboxes: { a: 1 } }), 'DATASET_FORMAT', /field "bboxes": expected an array of boxes/],
    ['box of 3', good({ bboxes: [[0, 0, 1]] }), 'DATASET_FORMAT', /field "bboxes\[0\]": expected \[x0, y0, x1, y1\], got an array of length 3/],
    ['string coordinate', good({ bboxes: [[0, 0, '0.5', 1]] }), 'DATASET_FORMAT', /field "bboxes\[0\]\[2\]": expected a finite number, got "0.5"/],
    ['null coordinate', good({ bboxes: [[0, null, 1, 1]] }), 'DATASET_FORMAT', /field "bboxes\[0\]\[1\]": expected a finite number, got null/],
    ['x0 > x1', good({ bboxes: [[0.6, 0, 0.5, 1]] }), 'DATASET_FORMAT', /field "bboxes\[0\]": x0 = 0.6 > x1 = 0.5$/],
    ['y0 > y1', good({ bboxes: [[0, 0.9, 1, 0.1]] }), 'DATASET_FORMAT', /field "bboxes\[0\]": y0 = 0.9 > y1 = 0.1/],
    ['pixel coordinates', good({ bboxes: [[10, 20, 300, 400]] }), 'DATASET_FORMAT', /field "bboxes\[0\]\[0\]": 10 is outside \[0, 1\] by more than the tolerance 0.01/],
    ['slightly negative beyond tolerance', good({ bboxes: [[-0.02, 0, 1, 1]] }), 'DATASET_FORMAT', /field "bboxes\[0\]\[0\]": -0.02 is outside/],
    ['more boxes than <lvr>', good({ bboxes: [[0, 0, 1, 1], [0, 0, 0.5, 0.5]] }), 'DATASET_FORMAT', /field "bboxes": 2 box\(es\) for 1 <lvr> placeholder\(s\) in the gpt turns; they must match one to one/],
    ['<lvr> without a box', good({ bboxes: [] }), 'DATASET_FORMAT', /field "bboxes": 0 box\(es\) for 1 <lvr>/],
    ['<lvr> in a human turn', good({ conversations: [{ from: 'human', value: '<image><lvr>' }, { from: 'gpt', value: '<lvr>' }] }), 'DATASET_FORMAT', /field "conversations\[0\]\.value": <lvr> may only appear in gpt turns/],
    ['<image> missing', good({ conversations: [{ from: 'human', value: 'Q?' }, { from: 'gpt', value: '<lvr>' }] }), 'DATASET_FORMAT', /field "conversations": 0 <image> placeholder\(s\) for 1 image\(s\)/],
    ['<image> in a gpt turn', good({ conversations: [{ from: 'human', value: '<image>' }, { from: 'gpt', value: '<lvr><image>' }] }), 'DATASET_FORMAT', /field "conversations\[1\]\.value": <image> may only appear in human turns/],
    ['boxes without an image', good({ image: undefined, conversations: [{ from: 'human', value: 'Q' }, { from: 'gpt', value: '<lvr>' }] }), 'DATASET_FORMAT', /field "image": 1 box\(es\) but no image/],
    ['id of a wrong type', good({ id: { x: 1 } }), 'DATASET_FORMAT', /field "id": expected a string or number/],
    ['.. traversal', good({ image: '../outside.png' }), 'PATH_OUTSIDE_ROOT', /record 1 field "image": image path "\.\.\/outside\.png" resolves to .*, outside the image folder/],
    ['absolute path elsewhere', good({ image: '/etc/passwd' }), 'PATH_OUTSIDE_ROOT', /field "image": image path "\/etc\/passwd"/],
    ['symlink out of the folder', good({ image: ['escape.png'] }), 'PATH_OUTSIDE_ROOT', /field "image\[0\]": .*leads through a symlink/],
    ['URL', good({ image: 'https://x.org/a.png' }), 'PATH_OUTSIDE_ROOT', /is a URL/],
    ['missing image', good({ image: 'sub/nope.png' }), 'IO_ERROR', /record 1 field "image": image file not found: .*nope\.png/],
    ['a folder, not an image', good({ image: 'sub' }), 'IO_ERROR', /field "image": image path is not a regular file/],
  ];

  it.each(cases)('%s', async (_name, bad, code, pattern) => {
    const file = await jsonFile([good(), bad, good()]);
    const err = await readLvrSftDataset(file, { imageFolder: images }).then(
      () => expect.fail('should throw'),
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ name: 'LvrError', code });
    expect((err as Error).message.startsWith(`${file}: record 1`)).toBe(true);
    expect((err as Error).message).toMatch(pattern);
    expect((err as { details: Record<string, unknown> }).details).toMatchObject({ file, index: 1 });
  });

  it('corrupt image bytes → IMAGE_INVALID with decode (cause kept)', async () => {
    const file = await jsonFile([good({ image: ['corrupt.png'] })]);
    const err = (await readLvrSftDataset(file, { imageFolder: images, checkImages: 'decode' }).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ code: 'IMAGE_INVALID' });
    expect(err.message).toMatch(/record 0 field "image\[0\]": cannot read the image header of .*corrupt\.png/);
    expect(err.cause).toBeDefined();
  });

  it('decode mode applies options.imageDecode (a.png is 8×6 = 48 px)', async () => {
    const file = await jsonFile([good()]);
    await expect(readLvrSftDataset(file, { imageFolder: images, checkImages: 'decode', imageDecode: { maxInputPixels: 48 } })).resolves.toMatchObject({ skipped: [] });
    await expect(readLvrSftDataset(file, { imageFolder: images, checkImages: 'decode', imageDecode: { maxInputPixels: 47 } })).rejects.toMatchObject({
      code: 'IMAGE_INVALID',
      message: expect.stringMatching(/record 0 field "image\[0\]": image .*a\.png is 8×6 \(48 px\), over the decode limit of 47 px/),
    });
  });

  it('malformed JSON → DATASET_FORMAT naming file, line and column', async () => {
    const file = await jsonFile('[\n  {"image": "a.png",\n   "bboxes": [[0.1, NaN, 0.2, 0.3]]}\n]');
    await expect(readLvrSftDataset(file, { imageFolder: images })).rejects.toMatchObject({
      code: 'DATASET_FORMAT',
      message: expect.stringMatching(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid JSON at line 3 column 21`)),
    });
  });

  it('1e999 parses to Infinity and is rejected as a non-finite coordinate', async () => {
    const file = await jsonFile(JSON.stringify([good()]).replace('0.718', '1e999'));
    await expect(readLvrSftDataset(file, { imageFolder: images })).rejects.toThrow(
      `${file}: record 0 field "bboxes[0][2]": expected a finite number, got Infinity`,
    );
  });

  it('a top-level object, a missing file and a missing image folder fail the whole read', async () => {
    await expect(readLvrSftDataset(await jsonFile({ records: [] }), { imageFolder: images })).rejects.toMatchObject({ code: 'DATASET_FORMAT' });
    await expect(readLvrSftDataset(join(dir, 'none.json'), { imageFolder: images })).rejects.toMatchObject({ code: 'IO_ERROR' });
    await expect(readLvrSftDataset(await jsonFile([]), { imageFolder: join(dir, 'no-images') })).rejects.toMatchObject({ code: 'IO_ERROR' });
  });

  it('bad options are INVALID_ARGUMENT', async () => {
    const file = await jsonFile([]);
    await expect(readLvrSftDataset(file, { imageFolder: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(readLvrSftDataset(file, { imageFolder: images, checkImages: 'all' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(readLvrSftDataset(file, { imageFolder: images, boxTolerance: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('with several bad records, the lowest index is reported regardless of timing', async () => {
    // record 3 fails synchronously, record 1 only after an (async) stat of a missing file
    const file = await jsonFile([good(), good({ image: 'nope.png' }), good(), good({ bboxes: [[2, 0, 3, 1]] })]);
    await expect(readLvrSftDataset(file, { imageFolder: images, concurrency: 4 })).rejects.toThrow(/record 1 field "image"/);
  });
});

describe('readLvrSftDataset — onInvalid: skip', () => {
  it('keeps the good records, reports every skipped one and logs a warning', async () => {
    const file = await jsonFile([
      good({ id: 'g0' }),
      good({ id: 'bad-path', image: '../outside.png' }),
      good({ id: 'g2' }),
      good({ id: 'bad-box', bboxes: [[0, 0, 'x', 1]] }),
      good({ id: 'bad-img', image: 'corrupt.png' }),
      good({ id: 'g5' }),
    ]);
    const logs: LogRecord[] = [];
    const prev = setLogSink((r) => logs.push(r));
    try {
      const { records, skipped } = await readLvrSftDataset(file, { imageFolder: images, onInvalid: 'skip', checkImages: 'decode' });
      expect(records.map((r) => [r.index, r.id])).toEqual([[0, 'g0'], [2, 'g2'], [5, 'g5']]);
      expect(skipped.map(({ index, id, field, code }) => ({ index, id, field, code }))).toEqual([
        { index: 1, id: 'bad-path', field: 'image', code: 'PATH_OUTSIDE_ROOT' },
        { index: 3, id: 'bad-box', field: 'bboxes[0][2]', code: 'DATASET_FORMAT' },
        { index: 4, id: 'bad-img', field: 'image', code: 'IMAGE_INVALID' },
      ]);
      expect(skipped[1]?.reason).toBe(`${file}: record 3 field "bboxes[0][2]": expected a finite number, got "x"`);
    } finally {
      setLogSink(prev);
    }
    const warnings = logs.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings.some((m) => m.includes('record 3 field "bboxes[0][2]"'))).toBe(true);
    expect(warnings.some((m) => m.includes('skipped 3 of 6 record(s)'))).toBe(true);
  });
});

describe('writeLvrSftDataset — refuses what the reader would reject', () => {
  const base = (): LvrSftRecord => ({
    index: 0,
    id: 'x',
    images: [join(images, 'a.png')],
    conversations: [{ from: 'human', value: '<image>\nQ' }, { from: 'gpt', value: '<lvr>\nA' }],
    bboxes: [[0.1, 0.1, 0.2, 0.2]],
    extra: {},
  });

  it('NaN box → INVALID_ARGUMENT naming record and field', async () => {
    const rec = { ...base(), bboxes: [[0.1, Number.NaN, 0.2, 0.2]] as const };
    await expect(writeLvrSftDataset(join(dir, 'w1.json'), [base(), rec], { imageFolder: images })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('record 1 field "bboxes[0][1]": expected a finite number, got NaN'),
    });
  });

  it('image outside the folder → PATH_OUTSIDE_ROOT; core keys in extra → INVALID_ARGUMENT', async () => {
    await expect(
      writeLvrSftDataset(join(dir, 'w2.json'), [{ ...base(), images: [join(dir, 'outside.png')] }], { imageFolder: images }),
    ).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT', message: expect.stringContaining('field "images[0]"') });
    await expect(
      writeLvrSftDataset(join(dir, 'w3.json'), [{ ...base(), extra: { bboxes: [] } }], { imageFolder: images }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('field "extra.bboxes"') });
  });

  it('an extra field nested 20,000 deep → INVALID_ARGUMENT naming it (not a stack overflow in JSON.stringify)', async () => {
    let deep: unknown = 0;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    await expect(writeLvrSftDataset(join(dir, 'w5.json'), [{ ...base(), extra: { deep } }], { imageFolder: images })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('record 0 field "deep": nested more than 100 levels deep'),
    });
    let ok: unknown = 0;
    for (let i = 0; i < 100; i++) ok = { a: ok };
    await writeLvrSftDataset(join(dir, 'w6.json'), [{ ...base(), extra: { ok } }], { imageFolder: images });
    expect((await readLvrSftDataset(join(dir, 'w6.json'), { imageFolder: images })).records[0]?.extra).toEqual({ ok });
  });

  it('placeholder mismatch → INVALID_ARGUMENT', async () => {
    await expect(
      writeLvrSftDataset(join(dir, 'w4.json'), [{ ...base(), bboxes: [] }], { imageFolder: images }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('0 box(es) for 1 <lvr>') });
  });
});

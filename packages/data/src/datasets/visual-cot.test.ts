import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setLogSink } from '@lvr/core';
import { readVisualCotJsonl } from './visual-cot.js';

let dir = '';
let n = 0;

/** The schema of Visual-CoT's metadata JSONL (ecosystem.md §1.5), with synthetic values. */
const row = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  question: 'Is the car over the cat?',
  answer: 'No',
  image: 'img.png',
  width: 640,
  height: 480,
  bboxs: [[32, 48, 320, 240]],
  dataset: 'vsr',
  split: 'train',
  ...over,
});

async function jsonl(lines: (Record<string, unknown> | string)[]): Promise<string> {
  const p = join(dir, `cot-${n++}.jsonl`);
  await writeFile(p, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return p;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-viscot-'));
  await sharp({ create: { width: 4, height: 3, channels: 3, background: '#ffffff' } }).png().toFile(join(dir, 'img.png'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readVisualCotJsonl', () => {
  it('converts to the LVR SFT format with boxes normalised by the original width/height', async () => {
    const file = await jsonl([row()]);
    const { records, skipped } = await readVisualCotJsonl(file, { imageFolder: dir });
    expect(skipped).toEqual([]);
    expect(records).toEqual([
      {
        index: 0,
        id: 'vsr-0',
        images: [join(dir, 'img.png')],
        conversations: [
          { from: 'human', value: '<image>\nIs the car over the cat?' },
          { from: 'gpt', value: '<lvr>\n<answer> No </answer>' },
        ],
        bboxes: [[32 / 640, 48 / 480, 320 / 640, 240 / 480]], // [0.05, 0.1, 0.5, 0.5], not square-padded
        extra: { width: 640, height: 480, dataset: 'vsr', split: 'train' },
      },
    ]);
  });

  it('multipleBoxes: keep → one <lvr> per box; union → one box', async () => {
    const file = await jsonl([row({ bboxs: [[0, 0, 64, 48], [320, 240, 640, 480]], question_id: 'q9' })]);
    const keep = await readVisualCotJsonl(file, { imageFolder: dir });
    expect(keep.records[0]?.id).toBe('q9');
    expect(keep.records[0]?.bboxes).toEqual([[0, 0, 0.1, 0.1], [0.5, 0.5, 1, 1]]);
    expect(keep.records[0]?.conversations[1]?.value).toBe('<lvr>\n<lvr>\n<answer> No </answer>');
    const union = await readVisualCotJsonl(file, { imageFolder: dir, multipleBoxes: 'union' });
    expect(union.records[0]?.bboxes).toEqual([[0, 0, 1, 1]]);
    expect(union.records[0]?.conversations[1]?.value).toBe('<lvr>\n<answer> No </answer>');
  });

  it('200,000 boxes are an error naming the field, not a stack overflow; 1024 still give their union', async () => {
    const many = Array.from({ length: 200_000 }, () => [0, 0, 64, 48]);
    const file = await jsonl([row({ bboxs: many })]);
    for (const multipleBoxes of ['union', 'keep'] as const) {
      await expect(readVisualCotJsonl(file, { imageFolder: dir, multipleBoxes })).rejects.toMatchObject({
        code: 'DATASET_FORMAT',
        message: `${file}: record 0 (line 1) field "bboxs": 200000 boxes; a record may hold at most 1024`,
      });
    }
    const most = await jsonl([row({ bboxs: [...many.slice(0, 1023), [320, 240, 640, 480]] })]);
    expect((await readVisualCotJsonl(most, { imageFolder: dir, multipleBoxes: 'union' })).records[0]?.bboxes).toEqual([[0, 0, 1, 1]]);
  });

  it('clamps small spill-over to [0, 1], ignores blank lines and reports line numbers', async () => {
    const file = await jsonl([row({ bboxs: [[-3, 0, 644, 480]] }), '', '   ', row({ width: 0 })]);
    const err = await readVisualCotJsonl(file, { imageFolder: dir }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DATASET_FORMAT', message: `${file}: record 1 (line 4) field "width": expected a positive number of pixels, got 0` });
    const prev = setLogSink(() => undefined);
    try {
      const { records, skipped } = await readVisualCotJsonl(file, { imageFolder: dir, onInvalid: 'skip' });
      expect(records[0]?.bboxes).toEqual([[0, 0, 1, 1]]);
      expect(skipped).toMatchObject([{ index: 1, line: 4, field: 'width' }]);
    } finally {
      setLogSink(prev);
    }
  });

  it.each<[string, Record<string, unknown> | string, string, RegExp]>([
    ['malformed line', '{"question": "Q", "answer": }', 'DATASET_FORMAT', /record 1 \(line 2\): invalid JSON at line 1 column 29/],
    ['not an object', '[1, 2]', 'DATASET_FORMAT', /record 1 \(line 2\): expected a JSON object/],
    ['missing question', row({ question: undefined }), 'DATASET_FORMAT', /field "question": expected a non-empty string, got nothing/],
    ['answer of a wrong type', row({ answer: ['No'] }), 'DATASET_FORMAT', /field "answer": expected a non-empty string, got an array/],
    ['blank answer', row({ answer: '  ' }), 'DATASET_FORMAT', /field "answer": expected a non-empty string, got only white space$/],
    ['placeholder in the question', row({ question: '<image> what?' }), 'DATASET_FORMAT', /field "question": must not contain <image> or <lvr>/],
    ['height NaN-like', row({ height: 'NaN' }), 'DATASET_FORMAT', /field "height": expected a positive number of pixels, got "NaN"/],
    ['no boxes', row({ bboxs: [] }), 'DATASET_FORMAT', /field "bboxs": expected a non-empty array/],
    ['string coordinate', row({ bboxs: [[0, 0, 'NaN', 4]] }), 'DATASET_FORMAT', /field "bboxs\[0\]\[2\]": expected a finite number, got "NaN"/],
    ['x1 < x0', row({ bboxs: [[100, 0, 50, 4]] }), 'DATASET_FORMAT', /field "bboxs\[0\]": x0 = 100 > x1 = 50/],
    ['box far outside the image', row({ bboxs: [[0, 0, 900, 40]] }), 'DATASET_FORMAT', /field "bboxs\[0\]\[2\]": 900 is outside the 640×480 image/],
    ['traversal', row({ image: '../etc/passwd' }), 'PATH_OUTSIDE_ROOT', /field "image": image path "\.\.\/etc\/passwd"/],
    ['missing image', row({ image: 'none.jpg' }), 'IO_ERROR', /field "image": image file not found/],
  ])('%s', async (_name, bad, code, pattern) => {
    const file = await jsonl([row(), bad]);
    const result = await readVisualCotJsonl(file, { imageFolder: dir }).then(
      () => expect.fail('should throw'),
      (e: unknown) => e,
    );
    expect(result).toMatchObject({ code, message: expect.stringMatching(pattern), details: expect.objectContaining({ index: 1, line: 2 }) });
  });

  it('rejects a bad multipleBoxes option', async () => {
    const file = await jsonl([row()]);
    await expect(readVisualCotJsonl(file, { imageFolder: dir, multipleBoxes: 'first' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

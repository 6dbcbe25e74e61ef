import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { blinkParquetSpec, jsonl, put, tinyImage, type BlinkRow, type ParquetSpec } from '../fixtures/benchmark-fixtures.js';
import { loadBlink } from './blink.js';

let dir: string;
let red: Uint8Array;
let blue: Uint8Array;
beforeAll(async () => {
  red = await tinyImage([255, 0, 0]);
  blue = await tinyImage([0, 0, 255]);
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-blink-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const writeParquet = (file: string, spec: ParquetSpec): Promise<void> =>
  put(file, new Uint8Array(parquetWriteBuffer(spec as Parameters<typeof parquetWriteBuffer>[0])));

function counting(): BlinkRow[] {
  return [
    {
      idx: 'val_Counting_1',
      question: 'How many blue floats are there?',
      sub_task: 'Counting',
      images: [{ bytes: red, path: 'c1.png' }],
      choices: ['0', '3', '2', '1'],
      answer: '(D)',
      prompt: 'How many blue floats are there?\nSelect from the following choices.\n(A) 0\n(B) 3\n(C) 2\n(D) 1',
    },
    { idx: 'val_Counting_2', question: 'How many cats?', sub_task: 'Counting', images: [{ bytes: blue, path: null }], choices: ['1', '2'], answer: '(A)' },
  ];
}

describe('loadBlink', () => {
  it('reads Hugging Face parquet (image structs kept as bytes, up to 4 images) per subtask folder, val split only', async () => {
    await writeParquet(join(dir, 'Counting/val-00000-of-00001.parquet'), blinkParquetSpec(counting()));
    await writeParquet(
      join(dir, 'Jigsaw/val-00000-of-00001.parquet'),
      blinkParquetSpec([
        { idx: 'val_Jigsaw_1', question: 'Which piece fits?', sub_task: 'Jigsaw', images: [{ bytes: red, path: 'a' }, { bytes: blue, path: 'b' }, { bytes: red, path: 'c' }], choices: ['first', 'second'], answer: '(B)' },
      ]),
    );
    await writeParquet(join(dir, 'Jigsaw/test-00000-of-00001.parquet'), blinkParquetSpec([{ ...counting()[0]!, idx: 'test_x', answer: 'hidden' }]));
    const items = await loadBlink(dir);
    expect(items.map((i) => [i.id, i.category, i.answer, i.images.length])).toEqual([
      ['val_Counting_1', 'Counting', 'D', 1],
      ['val_Counting_2', 'Counting', 'A', 1],
      ['val_Jigsaw_1', 'Jigsaw', 'B', 3],
    ]);
    expect(items[0]).toMatchObject({ benchmark: 'blink', question: 'How many blue floats are there?', options: ['0', '3', '2', '1'] });
    expect(items[0]!.meta!.prompt).toMatch(/^How many blue floats are there\?\nSelect from the following choices\./);
    const img = items[0]!.images[0]!;
    expect(img.kind === 'bytes' && Buffer.from(img.bytes).equals(Buffer.from(red))).toBe(true);
    expect(items[1]!.images[0]).toMatchObject({ kind: 'bytes', name: 'image_1' });
    expect((await loadBlink(dir, { subtasks: ['Jigsaw'] })).map((i) => i.id)).toEqual(['val_Jigsaw_1']);
    expect((await loadBlink(join(dir, 'Counting/val-00000-of-00001.parquet'))).map((i) => i.id)).toEqual(['val_Counting_1', 'val_Counting_2']);
  });

  it('reads JSONL with image paths relative to the file (null for absent images)', async () => {
    await put(join(dir, 'imgs/r.png'), red);
    await put(join(dir, 'imgs/b.png'), blue);
    await put(
      join(dir, 'blink.jsonl'),
      jsonl([
        { idx: 'val_Visual_Similarity_1', question: 'Which is more similar?', sub_task: 'Visual_Similarity', image_1: 'imgs/r.png', image_2: 'imgs/b.png', image_3: null, image_4: null, choices: ['the second image', 'the third image'], answer: '(A)' },
      ]),
    );
    const [item] = await loadBlink(join(dir, 'blink.jsonl'));
    expect(item!.images).toEqual([{ kind: 'file', path: join(dir, 'imgs/r.png') }, { kind: 'file', path: join(dir, 'imgs/b.png') }]);
    expect(item!.category).toBe('Visual_Similarity');
  });

  it('bad rows name the file and the 0-based parquet row (or the JSONL line) and the field', async () => {
    const rows = counting();
    const file = join(dir, 'Counting/val-00000-of-00001.parquet');
    await writeParquet(file, blinkParquetSpec([rows[0]!, { ...rows[1]!, answer: '(E)' }]));
    await expect(loadBlink(dir)).rejects.toMatchObject({ code: 'DATASET_FORMAT', message: expect.stringMatching(/val-00000-of-00001\.parquet: row 1 field "answer": expected one of \(A\)\.\.\(B\), got "\(E\)"/) });
    await writeParquet(file, blinkParquetSpec([{ ...rows[0]!, images: [{ bytes: null, path: null }] }]));
    await expect(loadBlink(dir)).rejects.toThrow(/row 0 field "image_1": image struct has neither bytes nor a path/);
    await writeParquet(file, blinkParquetSpec([rows[0]!, rows[0]!]));
    await expect(loadBlink(dir)).rejects.toThrow(/row 1 field "idx": duplicate idx "val_Counting_1" \(first at .*row 0\)/);
    await put(file, 'PAR1 not really parquet');
    await expect(loadBlink(dir)).rejects.toMatchObject({ code: 'DATASET_FORMAT', message: expect.stringMatching(/val-00000-of-00001\.parquet: not a readable parquet file/) });
    await rm(file);
    await put(join(dir, 'x.jsonl'), jsonl([{ idx: 'a', question: 'q', sub_task: 'Counting', image_1: 'nope.png', choices: ['1', '2'], answer: '(A)' }]));
    await expect(loadBlink(dir)).rejects.toMatchObject({ code: 'IO_ERROR', message: expect.stringMatching(/x\.jsonl: line 1 field "image_1": image file not found/) });
    await expect(loadBlink(dir, { subtasks: ['Countng'] })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/unknown subtask\(s\) Countng/) });
    await expect(loadBlink(join(dir, 'none'))).rejects.toMatchObject({ code: 'IO_ERROR' });
  });
});

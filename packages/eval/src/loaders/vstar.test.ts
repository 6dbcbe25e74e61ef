import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonl, put, tinyImage } from '../fixtures/benchmark-fixtures.js';
import { loadVstar } from './vstar.js';

const INSTRUCTION = "Answer with the option's letter from the given choices directly.";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-vstar-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ROWS = [
  {
    image: 'direct_attributes/sa_1.jpg',
    text: `What is the colour of the glove?\n(A) red\n(B) blue\n(C) green\n(D) white\n${INSTRUCTION}`,
    category: 'direct_attributes',
    question_id: 0,
    label: 'B',
  },
  { image: 'relative_position/sa_2.jpg', text: `Is the cup on the left or right of the dog?\n(A) left\n(B) right\n${INSTRUCTION}`, question_id: 115, label: 'A' },
  { image: 'direct_attributes/sa_3.jpg', text: 'What colour is the hat? (A) black (B) pink', question_id: 3, label: 'A' },
];

async function writeVstar(rows: readonly unknown[] = ROWS): Promise<void> {
  await put(join(dir, 'test_questions.jsonl'), jsonl(rows));
  await put(join(dir, 'direct_attributes/sa_1.jpg'), await tinyImage([10, 10, 200], 200, 100, 'jpeg'));
  await put(join(dir, 'direct_attributes/sa_1.json'), JSON.stringify({ target_object: ['glove'], bbox: [[20, 10, 40, 30]] }));
  await put(join(dir, 'relative_position/sa_2.jpg'), await tinyImage([10, 200, 10], 16, 16, 'jpeg'));
  // width/height in the JSON win over the (different) header size; two boxes → their union
  await put(
    join(dir, 'relative_position/sa_2.json'),
    JSON.stringify({ target_object: ['cup', 'dog'], bbox: [[100, 50, 100, 100], [500, 300, 100, 50]], width: 1000, height: 500 }),
  );
  await put(join(dir, 'direct_attributes/sa_3.jpg'), await tinyImage([0, 0, 0], 8, 8, 'jpeg'));
}

describe('loadVstar', () => {
  it('parses question, options, label, category (with the id fallback) and ROI from the per-image JSON', async () => {
    await writeVstar();
    const items = await loadVstar(dir);
    expect(items.map((i) => [i.id, i.category, i.answer, i.options.length])).toEqual([
      ['vstar-0', 'direct_attributes', 'B', 4],
      ['vstar-115', 'relative_position', 'A', 2],
      ['vstar-3', 'direct_attributes', 'A', 2],
    ]);
    expect(items[0]).toMatchObject({ benchmark: 'vstar', question: 'What is the colour of the glove?', options: ['red', 'blue', 'green', 'white'] });
    // xywh [20,10,40,30] on 200×100 (read from the JPEG header) → xyxy [0.1, 0.1, 0.3, 0.4]
    expect(items[0]!.roi).toEqual([0.1, 0.1, 0.3, 0.4]);
    expect(items[0]!.meta).toMatchObject({ target_object: ['glove'], image_size: [200, 100] });
    expect(items[1]!.roi).toEqual([0.1, 0.1, 0.6, 0.7]);
    expect(items[1]!.meta!.boxes).toEqual([[0.1, 0.1, 0.2, 0.3], [0.5, 0.6, 0.6, 0.7]]);
    expect(items[2]!.roi).toBeUndefined();
    expect(items[2]!.question).toBe('What colour is the hat?');
    expect(items[0]!.images).toEqual([{ kind: 'file', path: join(dir, 'direct_attributes/sa_1.jpg') }]);
  });

  it('bad rows are errors naming file, line and field', async () => {
    const bad = (patch: Record<string, unknown>) => [ROWS[0], { ...ROWS[1], ...patch }];
    const cases: [unknown[], string, RegExp][] = [
      [bad({ label: 'C' }), 'DATASET_FORMAT', /test_questions\.jsonl: line 2 field "label": expected one of A\.\.B, got "C"/],
      [bad({ text: 'No options here' }), 'DATASET_FORMAT', /line 2 field "text": expected a question followed by/],
      [bad({ question_id: 0 }), 'DATASET_FORMAT', /line 2 field "question_id": duplicate question_id 0 \(first on line 1\)/],
      [bad({ image: '../outside.jpg' }), 'PATH_OUTSIDE_ROOT', /line 2 field "image": image path "\.\.\/outside\.jpg"/],
      [bad({ image: 'relative_position/missing.jpg' }), 'IO_ERROR', /line 2 field "image": image file not found/],
      [bad({ question_id: 'x', category: null }), 'DATASET_FORMAT', /line 2 field "category": missing, and question_id "x" is not an integer/],
    ];
    for (const [rows, code, re] of cases) {
      await writeVstar(rows);
      await expect(loadVstar(dir)).rejects.toMatchObject({ code, message: expect.stringMatching(re) });
    }
    await writeVstar();
    await put(join(dir, 'test_questions.jsonl'), `${JSON.stringify(ROWS[0])}\n{not json\n`);
    await expect(loadVstar(dir)).rejects.toThrow(/test_questions\.jsonl: line 2: invalid JSON/);
  });

  it('a malformed annotation names the JSON file, the row and the bbox field', async () => {
    await writeVstar();
    await put(join(dir, 'direct_attributes/sa_1.json'), JSON.stringify({ bbox: [[20, 10, 40]] }));
    await expect(loadVstar(dir)).rejects.toMatchObject({
      code: 'DATASET_FORMAT',
      message: expect.stringMatching(/sa_1\.json \(annotation of .*test_questions\.jsonl: line 1\) field "bbox\[0\]": expected \[x, y, w, h\]/),
    });
    expect((await loadVstar(dir, { roi: false }))[0]!.roi).toBeUndefined();
  });

  it('an annotation with 200,000 boxes or a target_object nested 20,000 deep is an error, not a stack overflow', async () => {
    await writeVstar();
    const annotation = join(dir, 'direct_attributes/sa_1.json');
    await put(annotation, JSON.stringify({ bbox: Array.from({ length: 200_000 }, () => [20, 10, 40, 30]), width: 200, height: 100 }));
    await expect(loadVstar(dir)).rejects.toMatchObject({
      code: 'DATASET_FORMAT',
      message: expect.stringMatching(/sa_1\.json .* field "bbox": 200000 boxes; an annotation may hold at most 1024/),
    });
    await put(annotation, `{"target_object": ${'['.repeat(20_000)}"glove"${']'.repeat(20_000)}, "bbox": [[20, 10, 40, 30]]}`);
    await expect(loadVstar(dir)).rejects.toMatchObject({
      code: 'DATASET_FORMAT',
      message: expect.stringMatching(/sa_1\.json .* field "target_object\[0\]": expected a name, got an array of length 1/),
    });
    // the most boxes allowed still give their union
    await put(annotation, JSON.stringify({ bbox: [...Array.from({ length: 1023 }, () => [20, 10, 40, 30]), [0, 0, 10, 10]], width: 200, height: 100 }));
    expect((await loadVstar(dir))[0]!.roi).toEqual([0, 0, 0.3, 0.4]);
  });
});

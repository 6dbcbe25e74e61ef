import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { put, tinyImage } from '../fixtures/benchmark-fixtures.js';
import { loadMmvp } from './mmvp.js';

const HEADER = 'Index,Question,Options,Correct Answer\n';
const Q = "Are the butterfly's wings closer to being open or closed?";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-mmvp-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeMmvp(rows: string, indices: readonly number[], folder = 'MMVP Images'): Promise<void> {
  await put(join(dir, 'Questions.csv'), HEADER + rows);
  const jpg = await tinyImage([200, 30, 30], 8, 6, 'jpeg');
  for (const i of indices) await put(join(dir, folder, `${i}.jpg`), jpg);
}

describe('loadMmvp', () => {
  it('reads questions, inline options, answers, images and pair ids in CSV order', async () => {
    await writeMmvp(
      `1,${Q},(a) Open (b) Closed,(a)\n2,${Q},(a) Open (b) Closed,(b)\n3,"Is the dog, or the cat, facing left?",(a) Yes (b) No,(b)\n4,"Is the dog, or the cat, facing left?",(a) Yes (b) No,(a)\n`,
      [1, 2, 3, 4],
    );
    const items = await loadMmvp(dir);
    expect(items.map((i) => [i.id, i.answer, i.pairId])).toEqual([
      ['mmvp-1', 'A', '0'],
      ['mmvp-2', 'B', '0'],
      ['mmvp-3', 'B', '1'],
      ['mmvp-4', 'A', '1'],
    ]);
    expect(items[0]).toMatchObject({ benchmark: 'mmvp', question: Q, options: ['Open', 'Closed'], category: 'mmvp' });
    expect(items[2]!.question).toBe('Is the dog, or the cat, facing left?');
    expect(items[3]!.images).toEqual([{ kind: 'file', path: join(dir, 'MMVP Images', '4.jpg') }]);
  });

  it("finds the LVR evaluation's MMVP_Images folder too", async () => {
    await writeMmvp(`1,${Q},(a) Open (b) Closed,(a)\n`, [1], 'MMVP_Images');
    expect((await loadMmvp(dir))[0]!.images[0]).toEqual({ kind: 'file', path: join(dir, 'MMVP_Images', '1.jpg') });
  });

  it('corrected: sets 99/279 to B and 100/280 to A (a swap of the original labels, a no-op on corrected ones)', async () => {
    const rows = [99, 100, 279, 280, 101].map((i) => `${i},Q${i >> 1}?,(a) Long (b) Short,${i % 2 === 1 ? '(a)' : '(b)'}`).join('\n');
    await writeMmvp(`${rows}\n`, [99, 100, 279, 280, 101]);
    const original = await loadMmvp(dir);
    expect(original.map((i) => i.answer)).toEqual(['A', 'B', 'A', 'B', 'A']);
    const corrected = await loadMmvp(dir, { corrected: true });
    expect(corrected.map((i) => i.answer)).toEqual(['B', 'A', 'B', 'A', 'A']);
    expect(corrected[0]!.meta).toMatchObject({ corrected: true, answer_original: 'A' });
    // already-corrected labels stay as they are
    const fixedRows = rows.replace('99,Q49?,(a) Long (b) Short,(a)', '99,Q49?,(a) Long (b) Short,(b)').replace('100,Q50?,(a) Long (b) Short,(b)', '100,Q50?,(a) Long (b) Short,(a)');
    await put(join(dir, 'Questions.csv'), `${HEADER}${fixedRows}\n`);
    expect((await loadMmvp(dir, { corrected: true })).map((i) => i.answer)).toEqual(['B', 'A', 'B', 'A', 'A']);
  });

  it('bad rows are DATASET_FORMAT errors naming file, line and field', async () => {
    const cases: [string, RegExp][] = [
      [`1,${Q},Open or Closed,(a)\n`, /Questions\.csv: line 2 field "Options": expected "\(a\) X \(b\) Y"/],
      [`1,${Q},(a) Open (b) Closed,(c)\n`, /Questions\.csv: line 2 field "Correct Answer": expected one of \(a\), \(b\), got "\(c\)"/],
      [`1,"multi\nline",(a) Open (b) Closed,(a)\nx,${Q},(a) Open (b) Closed,(a)\n`, /line 4 field "Index": expected a positive integer, got "x"/],
      [`1,${Q},(a) Open (b) Closed,(a)\n1,${Q},(a) Open (b) Closed,(b)\n`, /line 3 field "Index": duplicate Index 1 \(first on line 2\)/],
      [`1,,(a) Open (b) Closed,(a)\n`, /line 2 field "Question"/],
    ];
    await writeMmvp('', [1]);
    for (const [rows, re] of cases) {
      await put(join(dir, 'Questions.csv'), HEADER + rows);
      await expect(loadMmvp(dir)).rejects.toMatchObject({ code: 'DATASET_FORMAT', message: expect.stringMatching(re) });
    }
    await put(join(dir, 'Questions.csv'), 'Index,Question,Choices,Correct Answer\n');
    await expect(loadMmvp(dir)).rejects.toThrow(/line 1 field "Options": missing column/);
  });

  it('a missing image is IO_ERROR naming the row; a missing folder or CSV names the path', async () => {
    await writeMmvp(`1,${Q},(a) Open (b) Closed,(a)\n2,${Q},(a) Open (b) Closed,(b)\n`, [1]);
    await expect(loadMmvp(dir)).rejects.toMatchObject({ code: 'IO_ERROR', message: expect.stringMatching(/Questions\.csv: line 3 field "Index \(image\)": image file not found: .*2\.jpg/) });
    expect(await loadMmvp(dir, { checkImages: false })).toHaveLength(2);
    await expect(loadMmvp(join(dir, 'nope'))).rejects.toMatchObject({ code: 'IO_ERROR', message: expect.stringMatching(/Questions\.csv: MMVP questions file not found/) });
  });
});

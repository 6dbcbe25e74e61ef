import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { parseSftRecord, readLvrSftDataset, writeLvrSftDataset } from '../datasets/lvr-sft.js';
import { buildLvrSftSequence } from '../sequences/lvr-sequence.js';
import { gridCellBox } from '../synthetic/grid-scene.js';
import { addLvrTokens } from '../tokenizer/add-tokens.js';
import { createQwenLikeTokenizerJson } from '../tokenizer/qwen-like.js';
import { LvrTokenizer } from '../tokenizer/tokenizer.js';
import { recordLvrGroups } from './lvr-groups.js';

const GRID = { t: 1, h: 8, w: 8 }; // a 64-px image: 8×8 patches, 2×2 merge → 4×4 = 16 LLM tokens
const HOPS = [6, 2, 14, 2]; // a chain that revisits cell 2
const chainBoxes = HOPS.map((c) => gridCellBox(c, 4));
const conv = [
  { from: 'human' as const, value: '<image>\nfrom the marked object follow four arrows . what shape ?' },
  { from: 'gpt' as const, value: '<lvr>\n<answer> circle </answer>' },
];

function errorOf(fn: () => unknown): { code?: string; message: string } | undefined {
  try {
    fn();
  } catch (e) {
    return isLvrError(e) ? { code: e.code, message: e.message } : { message: String(e) };
  }
  return undefined;
}

describe('recordLvrGroups', () => {
  it('gives a chain record one group in box order (unsorted, repeats kept) and a plain record one group per box', () => {
    expect(recordLvrGroups({ bboxes: chainBoxes, lvrChain: true }, GRID)).toEqual([[6, 2, 14, 2]]);
    expect(recordLvrGroups({ bboxes: chainBoxes }, GRID)).toEqual([[6], [2], [14], [2]]);
    // A multi-token box inside a chain keeps its own raster order, boxes stay in chain order.
    expect(recordLvrGroups({ bboxes: [gridCellBox(15, 4), [0, 0, 0.5, 0.25]], lvrChain: true }, GRID)).toEqual([[15, 0, 1]]);
  });

  it('feeds buildLvrSftSequence one span of k <|lvr|> tokens whose lvrGroups are the hop cells in hop order', () => {
    const tokenizer = LvrTokenizer.fromJson(addLvrTokens(createQwenLikeTokenizerJson()));
    const lvrGroups = recordLvrGroups({ bboxes: chainBoxes, lvrChain: true }, GRID);
    const seq = buildLvrSftSequence(conv, { tokenizer, imageTokenCounts: [16], lvrGroups });
    expect(seq.lvrSpans).toHaveLength(1);
    expect(seq.lvrSpans[0]!.length).toBe(4);
    expect(seq.lvrGroups).toEqual([[6, 2, 14, 2]]);
    expect(seq.lvrPositions).toEqual([0, 1, 2, 3].map((t) => seq.lvrSpans[0]!.start + t));
    // Without the chain flag the same boxes would need four <lvr> placeholders: a loud error, never a silent zip.
    const err = errorOf(() => buildLvrSftSequence(conv, { tokenizer, imageTokenCounts: [16], lvrGroups: recordLvrGroups({ bboxes: chainBoxes }, GRID) }));
    expect(err?.code).toBe('DATASET_FORMAT');
  });
});

describe('lvr_chain in the SFT reader and writer', () => {
  const loc = { file: 'train.json', index: 3 };
  const rec = { id: 'c', image: 'a.png', conversations: conv, bboxes: chainBoxes, lvr_chain: true };

  it('accepts k boxes for one <lvr> with the flag and rejects them without it', () => {
    const d = parseSftRecord(rec, loc, 0.01);
    expect(d.lvrChain).toBe(true);
    expect(d.bboxes).toHaveLength(4);
    expect(d.extra).toEqual({});
    expect(errorOf(() => parseSftRecord({ ...rec, lvr_chain: undefined }, loc, 0.01))?.message).toMatch(/4 box\(es\) for 1 <lvr>/);
  });

  it('rejects a bad flag, an empty chain, or a chain over two <lvr> placeholders, naming the field', () => {
    expect(errorOf(() => parseSftRecord({ ...rec, lvr_chain: 'yes' }, loc, 0.01))).toMatchObject({
      code: 'DATASET_FORMAT', message: expect.stringMatching(/record 3 field "lvr_chain": expected true or false/),
    });
    expect(errorOf(() => parseSftRecord({ ...rec, bboxes: [] }, loc, 0.01))?.message).toMatch(/field "bboxes".*needs at least one box/);
    const two = [conv[0]!, { from: 'gpt' as const, value: '<lvr> <lvr>\n<answer> circle </answer>' }];
    expect(errorOf(() => parseSftRecord({ ...rec, conversations: two }, loc, 0.01))?.message).toMatch(/for 2 <lvr>/);
  });

  it('round-trips through the writer and the reader', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lvr-chain-'));
    try {
      await writeFile(join(dir, 'a.png'), 'x');
      const file = join(dir, 'train.json');
      const r = { index: 0, id: 'c', images: [join(dir, 'a.png')], conversations: conv, bboxes: chainBoxes, lvrChain: true, extra: { task: 'chase' } };
      await writeLvrSftDataset(file, [r], { imageFolder: dir });
      const { records } = await readLvrSftDataset(file, { imageFolder: dir, checkImages: 'none' });
      expect(records[0]).toMatchObject({ id: 'c', bboxes: chainBoxes, lvrChain: true, extra: { task: 'chase' } });
      await expect(writeLvrSftDataset(file, [{ ...r, lvrChain: false }], { imageFolder: dir })).rejects.toThrow(/4 box\(es\) for 1 <lvr>/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

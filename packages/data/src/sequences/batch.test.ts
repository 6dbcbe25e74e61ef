import { describe, expect, it } from 'vitest';
import { addLivrLatentTokens, addLvrTokens } from '../tokenizer/add-tokens.js';
import { createQwenLikeTokenizerJson } from '../tokenizer/qwen-like.js';
import { IGNORE_INDEX } from '../tokenizer/special-tokens.js';
import { LvrTokenizer } from '../tokenizer/tokenizer.js';
import { collateSequences } from './batch.js';
import { buildLivrSequence } from './livr-sequence.js';
import { buildLvrSftSequence } from './lvr-sequence.js';
import { getRopeIndex } from './rope-index.js';

const tok = LvrTokenizer.fromJson(addLivrLatentTokens(addLvrTokens(createQwenLikeTokenizerJson()), 2));
const conv = (q: string) => [{ from: 'human', value: `<image>\n${q}` }, { from: 'gpt', value: '<lvr>\n<answer> A </answer>' }];
const short = buildLvrSftSequence(conv('Q?'), { tokenizer: tok, imageTokenCounts: [4], lvrGroups: [[0, 3]] });
const long = buildLvrSftSequence(conv('A much longer question?'), { tokenizer: tok, imageTokenCounts: [4], lvrGroups: [[1]] });
const pad = tok.special.pad;

describe('collateSequences', () => {
  it('right-pads ids with padId, labels with IGNORE and attention with 0', () => {
    const batch = collateSequences([short, long], { padId: pad });
    const L = long.inputIds.length;
    const n = short.inputIds.length;
    expect(batch).toMatchObject({ batchSize: 2, length: L, rowLengths: [n, L] });
    expect(Array.from(batch.inputIds.subarray(0, n))).toEqual(Array.from(short.inputIds));
    expect(Array.from(batch.inputIds.subarray(n, L)).every((v) => v === pad)).toBe(true);
    expect(Array.from(batch.labels.subarray(0, n))).toEqual(Array.from(short.labels));
    expect(Array.from(batch.labels.subarray(n, L)).every((v) => v === IGNORE_INDEX)).toBe(true);
    expect(Array.from(batch.attentionMask.subarray(0, L))).toEqual([...new Array<number>(n).fill(1), ...new Array<number>(L - n).fill(0)]);
    expect(Array.from(batch.inputIds.subarray(L))).toEqual(Array.from(long.inputIds));
    expect(batch.rows[0]).toEqual({ offset: 0, length: n, lvrPositions: short.lvrPositions, lvrSpans: short.lvrSpans,
      lvrGroups: short.lvrGroups, imageSpans: short.imageSpans });
  });

  it('left-pads and shifts the per-row positions by the padding', () => {
    const batch = collateSequences([short, long], { padId: pad, side: 'left' });
    const L = batch.length;
    const off = L - short.inputIds.length;
    expect(batch.rows[0]!.offset).toBe(off);
    expect(Array.from(batch.inputIds.subarray(off, L))).toEqual(Array.from(short.inputIds));
    expect(Array.from(batch.attentionMask.subarray(0, off)).every((v) => v === 0)).toBe(true);
    expect(Array.from(batch.labels.subarray(0, off)).every((v) => v === IGNORE_INDEX)).toBe(true);
    const row = batch.rows[0]!;
    expect(row.lvrPositions).toEqual(short.lvrPositions.map((p) => p + off));
    for (const p of row.lvrPositions!) expect(batch.inputIds[p]).toBe(tok.requireLvr().lvr);
    expect(row.imageSpans).toEqual([{ start: short.imageSpans[0]!.start + off, length: 4 }]);
    expect(row.lvrSpans![0]!.start).toBe(short.lvrSpans[0]!.start + off);
    expect(row.lvrGroups).toEqual([[0, 3]]);
    expect(batch.rows[1]!.offset).toBe(0);
  });

  it('shifts LIVR spans and computes M-RoPE positions with padding', () => {
    const a = buildLivrSequence({ tokenizer: tok, question: '<image>\nQ?', answer: 'yes', imageTokenCounts: [4], numLatents: 2 });
    const b = buildLivrSequence({ tokenizer: tok, question: '<image>\nA longer one?', answer: 'no', imageTokenCounts: [4], numLatents: 2 });
    const grids = [[{ t: 1, h: 4, w: 4 }], [{ t: 1, h: 4, w: 4 }]];
    const batch = collateSequences([a, b], {
      padId: pad,
      side: 'left',
      rope: { imageGridThw: grids, imagePadId: tok.special.imagePad, visionStartId: tok.special.visionStart },
    });
    const off = batch.rows[0]!.offset;
    expect(batch.rows[0]!.spans!.latents).toEqual({ start: a.spans.latents.start + off, end: a.spans.latents.end + off });
    expect(batch.rows[0]!.spans!.images[0]!.start).toBe(a.spans.images[0]!.start + off);
    const L = batch.length;
    const single = getRopeIndex(a.inputIds, grids[0]!, { imagePadId: tok.special.imagePad, visionStartId: tok.special.visionStart });
    // row 0 on the t axis: padding = 1, then the unpadded row's positions
    const row0t = Array.from(batch.positionIds!.subarray(0, L));
    expect(row0t.slice(0, off).every((v) => v === 1)).toBe(true);
    expect(row0t.slice(off)).toEqual(Array.from(single.positionIds.subarray(0, a.inputIds.length)));
    expect(batch.ropeDeltas![0]).toBe(single.ropeDelta - off);
  });

  it('never truncates: a row longer than maxLength throws; bad input throws', () => {
    expect(() => collateSequences([short, long], { padId: pad, maxLength: long.inputIds.length - 1 }))
      .toThrow(/row 1 has \d+ tokens, more than maxLength/);
    expect(collateSequences([short, long], { padId: pad, maxLength: long.inputIds.length }).length).toBe(long.inputIds.length);
    expect(() => collateSequences([], { padId: pad })).toThrow(/no sequences/);
    expect(() => collateSequences([{ inputIds: new Int32Array(0) }], { padId: pad })).toThrow(/row 0 is empty/);
    expect(() => collateSequences([{ inputIds: Int32Array.from([1, 2]), labels: Int32Array.from([1]) }], { padId: pad }))
      .toThrow(/2 ids but 1 labels/);
    expect(() => collateSequences([short], { padId: -1 })).toThrow(/padId/);
    // sequences without labels collate to IGNORE
    const noLabels = collateSequences([{ inputIds: Int32Array.from([5, 6]) }], { padId: pad });
    expect(Array.from(noLabels.labels)).toEqual([IGNORE_INDEX, IGNORE_INDEX]);
  });
});

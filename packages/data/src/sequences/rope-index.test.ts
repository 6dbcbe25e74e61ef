import { describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { decodePosition, decodePositions, getRopeIndex, getRopeIndexBatch } from './rope-index.js';

const VS = 900; // <|vision_start|>
const VE = 901; // <|vision_end|>
const PAD = 902; // <|image_pad|>
const LVR = 903; // a latent token: plain text for M-RoPE
const opts = { imagePadId: PAD, visionStartId: VS };

/** `n` text ids (values 1..n). */
const text = (n: number) => Array.from({ length: n }, (_, i) => 1 + (i % 50));
const axis = (pos: Int32Array, a: number, L: number) => Array.from(pos.subarray(a * L, (a + 1) * L));
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('getRopeIndex', () => {
  it('reproduces §9 item 15: 20 text tokens, a 16×16 merged image, 30 text tokens', () => {
    const ids = Int32Array.from([...text(19), VS, ...new Array<number>(256).fill(PAD), VE, ...text(29)]);
    expect(ids.length).toBe(306);
    const { positionIds, ropeDelta } = getRopeIndex(ids, [{ t: 1, h: 32, w: 32 }], opts);
    const [t, h, w] = [0, 1, 2].map((a) => axis(positionIds, a, 306));
    for (const ax of [t, h, w]) expect(ax!.slice(0, 20)).toEqual(range(0, 20));
    expect(new Set(t!.slice(20, 276))).toEqual(new Set([20]));
    for (let k = 0; k < 256; k++) {
      expect(h![20 + k]).toBe(20 + Math.floor(k / 16));
      expect(w![20 + k]).toBe(20 + (k % 16));
    }
    expect(Math.min(...h!.slice(20, 276))).toBe(20);
    expect(Math.max(...w!.slice(20, 276))).toBe(35);
    for (const ax of [t, h, w]) expect(ax!.slice(276)).toEqual(range(36, 30));
    expect(ropeDelta).toBe(-240);
    expect(decodePosition(306, ropeDelta)).toBe(66);
    expect(Array.from(decodePositions(306, ropeDelta, 2))).toEqual([66, 67, 66, 67, 66, 67]);
  });

  it('gives latent / LVR tokens 1-D text positions and handles several images and frames', () => {
    // text(2) VS img(t=2, 2×3 merged) VE LVR LVR VS img(1, 1×1) VE text(1)
    const ids = Int32Array.from([...text(2), VS, ...new Array<number>(12).fill(PAD), VE, LVR, LVR, VS, PAD, VE, ...text(1)]);
    const L = ids.length;
    const { positionIds, ropeDelta } = getRopeIndex(ids, [{ t: 2, h: 4, w: 6 }, { t: 1, h: 2, w: 2 }], opts);
    const [t, h, w] = [0, 1, 2].map((a) => axis(positionIds, a, L));
    expect(t!.slice(0, 3)).toEqual([0, 1, 2]);
    // first image starts at s = 3: frames 0/1, rows 0..1, cols 0..2
    expect(t!.slice(3, 15)).toEqual([3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4]);
    expect(h!.slice(3, 15)).toEqual([3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4]);
    expect(w!.slice(3, 15)).toEqual([3, 4, 5, 3, 4, 5, 3, 4, 5, 3, 4, 5]);
    // VE, LVR, LVR, VS continue at max + 1 = 6 on all axes
    for (const ax of [t, h, w]) expect(ax!.slice(15, 19)).toEqual([6, 7, 8, 9]);
    for (const ax of [t, h, w]) expect(ax![19]).toBe(10);
    for (const ax of [t, h, w]) expect(ax!.slice(20)).toEqual([11, 12]);
    expect(ropeDelta).toBe(13 - L);
  });

  it('numbers only unmasked tokens; padding gets 1 (left padding)', () => {
    const ids = Int32Array.from([0, 0, ...text(2), VS, PAD, PAD, PAD, PAD, VE, ...text(1)]);
    const mask = Uint8Array.from([0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const L = ids.length;
    const { positionIds, ropeDelta } = getRopeIndex(ids, [{ t: 1, h: 4, w: 4 }], { ...opts, attentionMask: mask });
    expect(axis(positionIds, 0, L)).toEqual([1, 1, 0, 1, 2, 3, 3, 3, 3, 5, 6]);
    expect(axis(positionIds, 1, L)).toEqual([1, 1, 0, 1, 2, 3, 3, 4, 4, 5, 6]);
    expect(axis(positionIds, 2, L)).toEqual([1, 1, 0, 1, 2, 3, 4, 3, 4, 5, 6]);
    // HF convention: delta relative to the padded row length, so the next decode step (past = L) is at 7
    expect(ropeDelta).toBe(7 - L);
    expect(decodePosition(L, ropeDelta)).toBe(7);
  });

  it('text-only rows are a plain arange', () => {
    const { positionIds, ropeDelta } = getRopeIndex(Int32Array.from(text(5)), [], opts);
    expect(Array.from(positionIds)).toEqual([...range(0, 5), ...range(0, 5), ...range(0, 5)]);
    expect(ropeDelta).toBe(0);
  });

  it('throws SHAPE_MISMATCH when images and grids disagree', () => {
    const ids = Int32Array.from([VS, PAD, PAD, PAD, PAD, VE]);
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return isLvrError(e) ? e.code : 'other';
      }
      return 'none';
    };
    expect(code(() => getRopeIndex(ids, [], opts))).toBe('SHAPE_MISMATCH');
    expect(() => getRopeIndex(ids, [{ t: 1, h: 4, w: 6 }], opts)).toThrow(/needs 6 consecutive/);
    expect(() => getRopeIndex(ids, [{ t: 1, h: 2, w: 2 }], opts)).toThrow(/3 <\|image_pad\|> token\(s\) are not part of an image/);
    expect(() => getRopeIndex(ids, [{ t: 1, h: 3, w: 4 }], opts)).toThrow(/divisible by mergeSize 2/);
    expect(() => getRopeIndex(ids, [{ t: 1, h: 4, w: 4 }], { ...opts, attentionMask: new Uint8Array(2) })).toThrow(/attentionMask/);
  });
});

describe('getRopeIndexBatch', () => {
  it('stacks rows as [3, B, L] and matches the single-row results', () => {
    const rowA = [...text(2), VS, PAD, PAD, PAD, PAD, VE];
    const rowB = [...text(5), 0, 0, 0];
    const ids = Int32Array.from([...rowA, ...rowB]);
    const mask = Uint8Array.from([...rowA.map(() => 1), 1, 1, 1, 1, 1, 0, 0, 0]);
    const grids = [[{ t: 1, h: 4, w: 4 }], []];
    const { positionIds, ropeDeltas } = getRopeIndexBatch(ids, 2, grids, { ...opts, attentionMask: mask });
    const L = 8;
    const a = getRopeIndex(Int32Array.from(rowA), grids[0]!, opts);
    const b = getRopeIndex(Int32Array.from(rowB), [], { ...opts, attentionMask: mask.subarray(8) });
    for (let ax = 0; ax < 3; ax++) {
      expect(Array.from(positionIds.subarray((ax * 2 + 0) * L, (ax * 2 + 1) * L))).toEqual(axis(a.positionIds, ax, L));
      expect(Array.from(positionIds.subarray((ax * 2 + 1) * L, (ax * 2 + 2) * L))).toEqual(axis(b.positionIds, ax, L));
    }
    expect(Array.from(positionIds.subarray(L, 2 * L))).toEqual([0, 1, 2, 3, 4, 1, 1, 1]);
    expect(Array.from(ropeDeltas)).toEqual([a.ropeDelta, 5 - 8]);
    expect(() => getRopeIndexBatch(ids, 3, grids, opts)).toThrow(/cannot form 3 rows/);
    expect(() => getRopeIndexBatch(ids, 2, [[]], opts)).toThrow(/1 grid lists for 2 rows/);
  });
});

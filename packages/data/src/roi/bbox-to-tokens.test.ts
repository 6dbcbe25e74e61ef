import { describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { gridThwFor } from '../image/grid.js';
import { bboxToTokenIndices, bboxToTokenRange, boxesToTokenGroups, roiTokenCount } from './bbox-to-tokens.js';
import type { NormalizedBox } from './box.js';

/** Row-major indices of rows ty0..ty1-1 × cols tx0..tx1-1 on a grid with `cols` columns (test oracle). */
function rect(cols: number, tx0: number, tx1: number, ty0: number, ty1: number): number[] {
  const out: number[] = [];
  for (let y = ty0; y < ty1; y++) for (let x = tx0; x < tx1; x++) out.push(y * cols + x);
  return out;
}

const G448 = { t: 1, h: 32, w: 32 }; // 448×448 → grid (1, 32, 32), 256 tokens
const G1000x750 = { t: 1, h: 54, w: 72 }; // 1000×750 → 1008×756
const G640x480 = { t: 1, h: 34, w: 46 }; // 640×480 → 644×476
const G336 = { t: 1, h: 24, w: 24 }; // 100×100 → 336×336, 144 tokens
const G3000x2000 = { t: 1, h: 116, w: 174 }; // 3000×2000 → 2436×1624

describe('bboxToTokenIndices — worked examples (lvr-reference §9 items 8–12)', () => {
  it('A: 448×448, [0.1,0.2,0.5,0.6] → 49 indices 49–55 … 145–151 (both rules)', () => {
    const expected = [
      ...[49, 50, 51, 52, 53, 54, 55],
      ...[65, 66, 67, 68, 69, 70, 71],
      ...[81, 82, 83, 84, 85, 86, 87],
      ...[97, 98, 99, 100, 101, 102, 103],
      ...[113, 114, 115, 116, 117, 118, 119],
      ...[129, 130, 131, 132, 133, 134, 135],
      ...[145, 146, 147, 148, 149, 150, 151],
    ];
    const box: NormalizedBox = [0.1, 0.2, 0.5, 0.6];
    expect(bboxToTokenIndices(box, G448)).toEqual(expected);
    expect(bboxToTokenIndices(box, G448, { rule: 'packed' })).toEqual(expected);
    expect(bboxToTokenIndices(box, G448, { rule: 'manual' })).toEqual(expected);
    expect(bboxToTokenRange(box, G448)).toEqual({ tx0: 1, tx1: 8, ty0: 3, ty1: 10 });
    expect(roiTokenCount(box, G448)).toBe(49);
  });

  it('B: 1000×750 → grid 54×72, [0.25,0.4,0.3,0.45] → [369,370,405,406,441,442]', () => {
    // 0.3 · 72 = 21.599999999999998 in IEEE double → ceil 22 → tx1 = 11
    expect(0.3 * 72).toBe(21.599999999999998);
    expect(bboxToTokenIndices([0.25, 0.4, 0.3, 0.45], G1000x750)).toEqual([369, 370, 405, 406, 441, 442]);
  });

  it('C: 640×480 → grid 34×46, [0.9,0,1,0.05] → [20,21,22] (end clamps to 46)', () => {
    expect(bboxToTokenIndices([0.9, 0.0, 1.0, 0.05], G640x480)).toEqual([20, 21, 22]);
  });

  it('item 11: zero-area box on a grid line → [] packed, [136] manual', () => {
    expect(bboxToTokenIndices([0.5, 0.5, 0.5, 0.5], G448)).toEqual([]);
    expect(roiTokenCount([0.5, 0.5, 0.5, 0.5], G448)).toBe(0);
    expect(bboxToTokenIndices([0.5, 0.5, 0.5, 0.5], G448, { rule: 'manual' })).toEqual([136]);
  });

  it('item 11: coordinates > 1 are clamped, not renormalised → [255]', () => {
    expect(bboxToTokenIndices([0.95, 0.95, 1.2, 1.1], G448)).toEqual([255]);
    expect(bboxToTokenIndices([0.95, 0.95, 1.2, 1.1], G448, { rule: 'manual' })).toEqual([255]);
  });

  it('item 11: full box on 336×336 → all 144 indices 0..143', () => {
    const all = Array.from({ length: 144 }, (_, i) => i);
    expect(bboxToTokenIndices([0, 0, 1, 1], G336)).toEqual(all);
    expect(bboxToTokenIndices([0, 0, 1, 1], G336, { rule: 'manual' })).toEqual(all);
  });

  it('item 12: 3000×2000 → grid 116×174, [0.382,0.456,0.718,0.656] → 390 tokens, 2295 … 3368', () => {
    const idx = bboxToTokenIndices([0.382, 0.456, 0.718, 0.656], G3000x2000);
    expect(idx).toHaveLength(390);
    expect(idx[0]).toBe(2295);
    expect(idx[idx.length - 1]).toBe(3368);
    expect(idx).toEqual(rect(87, 33, 63, 26, 39));
    expect(roiTokenCount([0.382, 0.456, 0.718, 0.656], G3000x2000)).toBe(390);
  });
});

describe('bboxToTokenIndices — from pixel sizes through gridThwFor (stage-1 budget)', () => {
  const budget = { minPixels: 100352, maxPixels: 4014080 };
  it.each([
    [448, 448, [0.1, 0.2, 0.5, 0.6], 49, 49, 151],
    [750, 1000, [0.25, 0.4, 0.3, 0.45], 6, 369, 442],
    [480, 640, [0.9, 0.0, 1.0, 0.05], 3, 20, 22],
    [100, 100, [0, 0, 1, 1], 144, 0, 143],
    [2000, 3000, [0.382, 0.456, 0.718, 0.656], 390, 2295, 3368],
  ] as const)('%i×%i (H×W) box %j → %i tokens, %i … %i', (height, width, box, count, first, last) => {
    const { gridThw } = gridThwFor(height, width, budget);
    const idx = bboxToTokenIndices(box, gridThw);
    expect([idx.length, idx[0], idx.at(-1)]).toEqual([count, first, last]);
  });
});

describe('bboxToTokenIndices — rule details', () => {
  it('manual rule keeps the forced token inside the grid when x0 = y0 = 1', () => {
    expect(bboxToTokenIndices([1, 1, 1, 1], G448, { rule: 'manual' })).toEqual([255]);
    expect(bboxToTokenIndices([1, 0, 1, 0], G448, { rule: 'manual' })).toEqual([15]);
    expect(bboxToTokenIndices([1, 1, 1, 1], G448)).toEqual([255]); // packed: start clamps to w − 1
  });

  it('boxes entirely outside the image clamp to the border', () => {
    expect(bboxToTokenIndices([-0.5, -0.5, -0.2, -0.1], G448)).toEqual([]);
    expect(bboxToTokenIndices([-0.5, -0.5, -0.2, -0.1], G448, { rule: 'manual' })).toEqual([0]);
    expect(bboxToTokenIndices([1.5, 2, 3, 4], G448)).toEqual([255]);
  });

  it('mergeSize generalises the div-2 rule (m = 1 is the patch grid itself, m = 4)', () => {
    // m = 1: gx 3..16, gy 6..20 on a 32-column grid
    expect(bboxToTokenIndices([0.1, 0.2, 0.5, 0.6], G448, { mergeSize: 1 })).toEqual(rect(32, 3, 16, 6, 20));
    // m = 4: tx0 = floor(3/4) = 0, tx1 = floor((16+3)/4) = 4, ty0 = 1, ty1 = floor(23/4) = 5, 8 columns
    expect(bboxToTokenIndices([0.1, 0.2, 0.5, 0.6], G448, { mergeSize: 4 })).toEqual(rect(8, 0, 4, 1, 5));
  });

  it('video grids need an explicit frame; indices are offset into that frame', () => {
    const video = { t: 3, h: 32, w: 32 };
    expect(() => bboxToTokenIndices([0.1, 0.2, 0.5, 0.6], video)).toThrow(/grid\.t = 3 \(video\)/);
    const f0 = bboxToTokenIndices([0.1, 0.2, 0.5, 0.6], video, { frame: 0 });
    const f2 = bboxToTokenIndices([0.1, 0.2, 0.5, 0.6], video, { frame: 2 });
    expect(f0[0]).toBe(49);
    expect(f2).toEqual(f0.map((i) => i + 2 * 256));
    expect(() => bboxToTokenIndices([0, 0, 1, 1], video, { frame: 3 })).toThrow(/out of range/);
  });

  it('boxesToTokenGroups returns one group per box in order, including empty groups', () => {
    const groups = boxesToTokenGroups(
      [
        [0.9, 0, 1, 0.05],
        [0, 0, 0, 0],
        [0, 0, 0.01, 0.01],
      ],
      G640x480,
    );
    expect(groups).toEqual([[20, 21, 22], [], [0]]);
    expect(boxesToTokenGroups([], G640x480)).toEqual([]);
  });
});

describe('bboxToTokenIndices — bad input → LvrError INVALID_ARGUMENT', () => {
  const expectInvalid = (fn: () => unknown, pattern: RegExp): void => {
    try {
      fn();
    } catch (e) {
      expect(isLvrError(e)).toBe(true);
      expect((e as { code: string }).code).toBe('INVALID_ARGUMENT');
      expect((e as Error).message).toMatch(pattern);
      return;
    }
    throw new Error('expected an LvrError');
  };

  it.each([
    [[Number.NaN, 0, 1, 1], /box\[0\] must be a finite number, got NaN/],
    [[0, Number.NaN, 1, 1], /box\[1\] .* got NaN/],
    [[0, 0, Number.POSITIVE_INFINITY, 1], /box\[2\] .* got Infinity/],
    [[0, 0, 1, Number.NEGATIVE_INFINITY], /box\[3\] .* got -Infinity/],
    [[0, 0, '1', 1], /box\[2\] .* got "1"/],
    [[0.6, 0, 0.5, 1], /x0 = 0.6 > x1 = 0.5/],
    [[0, 0.6, 1, 0.5], /y0 = 0.6 > y1 = 0.5/],
    [[0, 0, 1], /must be \[x0, y0, x1, y1\], got an array of length 3/],
    [[0, 0, 1, 1, 1], /got an array of length 5/],
    [null, /must be \[x0, y0, x1, y1\], got null/],
  ])('box %j', (box, pattern) => {
    expectInvalid(() => bboxToTokenIndices(box as unknown as NormalizedBox, G448), pattern);
    expectInvalid(() => bboxToTokenIndices(box as unknown as NormalizedBox, G448, { rule: 'manual' }), pattern);
  });

  it.each([
    [{ t: 1, h: 32.5, w: 32 }, /grid\.h must be a positive integer, got 32.5/],
    [{ t: 1, h: 0, w: 32 }, /grid\.h must be a positive integer, got 0/],
    [{ t: 1, h: 32, w: -2 }, /grid\.w must be a positive integer/],
    [{ t: 0, h: 32, w: 32 }, /grid\.t must be a positive integer/],
    [{ t: 1, h: 32, w: Number.NaN }, /grid\.w must be a positive integer, got NaN/],
    [{ t: 1, h: 33, w: 32 }, /not a multiple of mergeSize 2/],
    [{ t: 1, h: 32 }, /grid\.w must be a positive integer, got undefined/],
  ])('grid %j', (grid, pattern) => {
    expectInvalid(() => bboxToTokenIndices([0, 0, 1, 1], grid as never), pattern);
  });

  it('bad options', () => {
    expectInvalid(() => bboxToTokenIndices([0, 0, 1, 1], G448, { mergeSize: 0 }), /mergeSize must be a positive integer/);
    expectInvalid(() => bboxToTokenIndices([0, 0, 1, 1], G448, { mergeSize: 1.5 }), /mergeSize/);
    expectInvalid(() => bboxToTokenIndices([0, 0, 1, 1], G448, { rule: 'x' as never }), /rule must be/);
    expectInvalid(() => bboxToTokenIndices([0, 0, 1, 1], G448, { frame: -1 }), /frame must be/);
  });

  it('boxesToTokenGroups names the failing box', () => {
    expectInvalid(
      () => boxesToTokenGroups([[0, 0, 1, 1], [0, 0, Number.NaN, 1]], G448),
      /boxes\[1\]\[2\] must be a finite number, got NaN/,
    );
    expectInvalid(() => boxesToTokenGroups('x' as never, G448), /boxes must be an array/);
  });
});

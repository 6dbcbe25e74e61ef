import { describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { gridThwFor } from './grid.js';

const STAGE1 = { minPixels: 100352, maxPixels: 4014080 };

describe('gridThwFor', () => {
  it.each([
    // [W, H] → [W̄, H̄], grid (t, h, w), tokens — §9 item 6
    [448, 448, 448, 448, 32, 32, 256],
    [1000, 750, 1008, 756, 54, 72, 972],
    [640, 480, 644, 476, 34, 46, 391],
    [3000, 2000, 2436, 1624, 116, 174, 5046],
    [100, 100, 336, 336, 24, 24, 144],
  ])('%i×%i → %i×%i, grid (1,%i,%i), %i tokens (stage-1 budget)', (w, h, wBar, hBar, gh, gw, tokens) => {
    const g = gridThwFor(h, w, STAGE1);
    expect([g.resizedWidth, g.resizedHeight]).toEqual([wBar, hBar]);
    expect(g.gridThw).toEqual({ t: 1, h: gh, w: gw });
    expect(g.numTokens).toBe(tokens);
    expect(g.rows).toBe(gh * gw);
    expect(g.rowWidth).toBe(1176);
  });

  it('448×448 gives 1024 rows of 1176 values', () => {
    const g = gridThwFor(448, 448, STAGE1);
    expect([g.rows, g.rowWidth]).toEqual([1024, 1176]);
  });

  it('supports miniature parameters: patch 8, merge 2, T 2 on 64×64', () => {
    const g = gridThwFor(64, 64, { patchSize: 8, mergeSize: 2, temporalPatchSize: 2 });
    expect(g.gridThw).toEqual({ t: 1, h: 8, w: 8 });
    expect([g.rows, g.rowWidth, g.numTokens]).toEqual([64, 384, 16]);
  });

  it('row width follows temporalPatchSize and patchSize; tokens follow mergeSize', () => {
    const g = gridThwFor(48, 48, { patchSize: 4, mergeSize: 3, temporalPatchSize: 3, minPixels: 1 });
    expect(g.gridThw).toEqual({ t: 1, h: 12, w: 12 });
    expect([g.rowWidth, g.numTokens]).toEqual([3 * 3 * 16, 16]);
  });

  it('with doResize false keeps the size and requires multiples of patchSize·mergeSize', () => {
    const g = gridThwFor(56, 84, { doResize: false });
    expect([g.resizedHeight, g.resizedWidth, g.numTokens]).toEqual([56, 84, 6]);
    try {
      gridThwFor(56, 70, { doResize: false });
      throw new Error('expected an LvrError');
    } catch (e) {
      expect(isLvrError(e) && e.code).toBe('SHAPE_MISMATCH');
      expect((e as Error).message).toMatch(/width 70 is not a multiple of patchSize·mergeSize = 28/);
    }
  });

  it('propagates smartResize rejections', () => {
    expect(() => gridThwFor(NaN, 10)).toThrow(/height must be a positive integer, got NaN/);
    expect(() => gridThwFor(1, 201)).toThrow(/aspect ratio 201/);
  });
});

import { describe, expect, it } from 'vitest';
import { Rng, isLvrError } from '@lvr/core';
import { smartResize, roundHalfEven } from './smart-resize.js';

const STAGE1 = { minPixels: 100352, maxPixels: 4014080 };

function expectInvalid(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(isLvrError(e) && e.code).toBe('INVALID_ARGUMENT');
    expect((e as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected an LvrError');
}

describe('roundHalfEven', () => {
  it('rounds ties to the even neighbour like Python round()', () => {
    expect([0.5, 1.5, 2.5, 3.5, 4.5, 26.5].map(roundHalfEven)).toEqual([0, 2, 2, 4, 4, 26]);
    expect(roundHalfEven(70 / 28)).toBe(2);
    expect(Math.round(70 / 28)).toBe(3); // the trap a naive port falls into
  });
  it('rounds non-ties to the nearest integer, deciding on the exact double', () => {
    expect(roundHalfEven(2.5000000000000004)).toBe(3);
    expect(roundHalfEven(2.4999999999999996)).toBe(2);
    expect(roundHalfEven(26.785714285714285)).toBe(27);
    expect(roundHalfEven(0.49999999999999994)).toBe(0);
    expect(roundHalfEven(7)).toBe(7);
    expect(roundHalfEven(2 ** 52 + 1)).toBe(2 ** 52 + 1);
  });
});

describe('smartResize — §9 item 5 (factor 28, min 3136)', () => {
  it('uses round-half-to-even: (70,70) → (56,56), not (84,84)', () => {
    expect(smartResize(70, 70, { minPixels: 3136 })).toEqual([56, 56]);
    expect(smartResize(70, 70)).toEqual([56, 56]);
  });
  it('(42,42) → (56,56) and (98,98) → (112,112)', () => {
    expect(smartResize(42, 42)).toEqual([56, 56]);
    expect(smartResize(98, 98)).toEqual([112, 112]);
  });
});

describe('smartResize — §9 item 6 (stage-1 budget 100352..4014080)', () => {
  it.each([
    // [W, H, W̄, H̄]
    [448, 448, 448, 448],
    [1000, 750, 1008, 756],
    [640, 480, 644, 476],
    [3000, 2000, 2436, 1624],
    [100, 100, 336, 336],
  ])('%i×%i (W×H) → %i×%i', (w, h, wBar, hBar) => {
    expect(smartResize(h, w, STAGE1)).toEqual([hBar, wBar]);
  });
});

describe('smartResize — branches and edge cases', () => {
  it('wraps the max-pixels branch in max(factor, ·)', () => {
    // 28×5600 (ratio exactly 200, allowed) with a 100-token budget: floor gives 0 rows → clamped to 28.
    expect(smartResize(28, 5600, { maxPixels: 78400 })).toEqual([28, 3948]);
  });
  it('never returns a side below factor', () => {
    expect(smartResize(1, 200, { minPixels: 1, maxPixels: 1e9 })).toEqual([28, 196]);
  });
  it('honours a custom factor (miniature models)', () => {
    expect(smartResize(64, 64, { factor: 16 })).toEqual([64, 64]);
    expect(smartResize(40, 24, { factor: 16, minPixels: 256, maxPixels: 4096 })).toEqual([32, 32]);
  });
  it('keeps random sizes on the factor grid and inside the budget', () => {
    const rng = new Rng(11);
    for (let i = 0; i < 500; i++) {
      const h = rng.intBetween(28, 4000);
      const w = rng.intBetween(Math.max(28, Math.ceil(h / 20)), Math.min(4000, h * 20));
      const [hh, ww] = smartResize(h, w, STAGE1);
      expect(hh % 28).toBe(0);
      expect(ww % 28).toBe(0);
      expect(hh * ww).toBeLessThanOrEqual(STAGE1.maxPixels);
      expect(hh * ww).toBeGreaterThanOrEqual(STAGE1.minPixels);
    }
  });
});

describe('smartResize — rejections', () => {
  it('rejects an aspect ratio above 200 but accepts exactly 200', () => {
    expectInvalid(() => smartResize(1, 201), /aspect ratio 201 .*201×1/);
    expectInvalid(() => smartResize(5628, 28), /aspect ratio 201/);
    expect(() => smartResize(1, 200)).not.toThrow();
  });
  it.each([NaN, 0, -5, 1.5, Infinity])('rejects height %s', (h) => {
    expectInvalid(() => smartResize(h, 100), /height must be a positive integer/);
  });
  it('rejects a bad width, factor or budget', () => {
    expectInvalid(() => smartResize(100, NaN), /width must be a positive integer, got NaN/);
    expectInvalid(() => smartResize(100, 100, { factor: 0 }), /factor/);
    expectInvalid(() => smartResize(100, 100, { minPixels: NaN }), /minPixels/);
    expectInvalid(() => smartResize(100, 100, { maxPixels: -1 }), /maxPixels/);
    expectInvalid(() => smartResize(100, 100, { minPixels: 5000, maxPixels: 4000 }), /minPixels \(5000\) exceeds maxPixels \(4000\)/);
  });
});

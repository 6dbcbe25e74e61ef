import { describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { patchifyRgb } from '../image/patchify.js';
import { resolvePreprocessOptions } from '../image/preprocess-options.js';
import { decodeSymbolRows, renderSymbolImage, symbolCodebook, symbolTokens } from './symbol-image.js';

const pre = resolvePreprocessOptions({ patchSize: 8, mergeSize: 2, temporalPatchSize: 2, minPixels: 256 });

describe('symbol boards (perception-free variant)', () => {
  it('round-trips a board through the symbol image and preprocessing exactly', () => {
    const rng = new Rng(1);
    for (let trial = 0; trial < 20; trial++) {
      const board = Int32Array.from({ length: 16 }, () => rng.int(32));
      const marked = rng.int(16);
      const rows = patchifyRgb(renderSymbolImage(board, marked), pre);
      const back = decodeSymbolRows(rows, { t: 1, h: 8, w: 8 }, pre);
      expect([...back.board]).toEqual([...board]);
      expect(back.markedCell).toBe(marked);
    }
  });

  it('builds tokens as symbol + cell (+ marker) with norm ≈ scale, deterministic per seed', () => {
    const cb = symbolCodebook({ dim: 64, seed: 0, scale: 2 });
    expect(symbolCodebook({ dim: 64, seed: 0, scale: 2 }).symbols).toEqual(cb.symbols);
    const board = Int32Array.from({ length: 16 }, (_, i) => i);
    const t = symbolTokens(cb, board, 3);
    const row = (c: number) => t.slice(c * 64, c * 64 + 64);
    for (let j = 0; j < 64; j++) {
      expect(row(5)[j]).toBeCloseTo((cb.symbols[5 * 64 + j] as number) + (cb.cells[5 * 64 + j] as number), 6);
      expect(row(3)[j]).toBeCloseTo((cb.symbols[3 * 64 + j] as number) + (cb.cells[3 * 64 + j] as number) + (cb.marker[j] as number), 6);
    }
    let mean = 0;
    for (let c = 0; c < 16; c++) mean += Math.hypot(...row(c)) / 16;
    expect(mean).toBeGreaterThan(1.4);
    expect(mean).toBeLessThan(2.6);
  });

  it('rejects bad boards and non-symbol images', () => {
    const cb = symbolCodebook({ dim: 8, seed: 0, scale: 1 });
    expect(() => symbolTokens(cb, new Int32Array(15), 0)).toThrow(/15 cells/);
    expect(() => symbolTokens(cb, new Int32Array(16).fill(40), 0)).toThrow(/symbol 40/);
    const img = renderSymbolImage(new Int32Array(16), 0);
    img.data[0] = 5; // red byte not on the symbol lattice
    expect(() => decodeSymbolRows(patchifyRgb(img, pre), { t: 1, h: 8, w: 8 }, pre)).toThrow(/not a symbol image cell/);
  });
});

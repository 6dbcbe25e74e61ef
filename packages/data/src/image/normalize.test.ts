import { describe, expect, it } from 'vitest';
import { normalizationTable, normalizeToChw } from './normalize.js';

const MEAN = [0.48145466, 0.4578275, 0.40821073];
const STD = [0.26862954, 0.26130258, 0.27577711];

/** numpy's float32 arithmetic, written out independently: f32(f32(f32(v·(1/255)) − f32(m)) / f32(s)). */
function numpyStyle(v: number, c: number): number {
  const f = Math.fround;
  return f(f(f(v * (1 / 255)) - f(MEAN[c] as number)) / f(STD[c] as number));
}

describe('normalizationTable', () => {
  it('maps every byte to the float32 value numpy would compute', () => {
    const lut = normalizationTable();
    for (let c = 0; c < 3; c++) {
      for (let v = 0; v < 256; v++) expect(lut[c * 256 + v]).toBe(numpyStyle(v, c));
    }
  });
  it('gives the CLIP constants for black and white', () => {
    const lut = normalizationTable();
    for (let c = 0; c < 3; c++) {
      expect(lut[c * 256]).toBeCloseTo(-(MEAN[c] as number) / (STD[c] as number), 6);
      expect(lut[c * 256 + 255]).toBeCloseTo((1 - (MEAN[c] as number)) / (STD[c] as number), 6);
    }
    expect(lut[255]).toBeCloseTo(1.9303361, 6);
    expect(lut[0]).toBeCloseTo(-1.7922626, 6);
  });
  it('honours custom mean, std and rescale factor', () => {
    const lut = normalizationTable({ mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], rescaleFactor: 1 / 255 });
    expect([lut[0], lut[255], lut[256 + 255]]).toEqual([-1, 1, 1]);
  });
});

describe('normalizeToChw', () => {
  it('writes planar (3, H, W) values from interleaved RGB', () => {
    // 2×1 image: pixel 0 = (0, 255, 10), pixel 1 = (255, 0, 20)
    const img = { width: 2, height: 1, data: Uint8Array.from([0, 255, 10, 255, 0, 20]) };
    const chw = normalizeToChw(img);
    expect(Array.from(chw)).toEqual([
      numpyStyle(0, 0), numpyStyle(255, 0),
      numpyStyle(255, 1), numpyStyle(0, 1),
      numpyStyle(10, 2), numpyStyle(20, 2),
    ]);
  });
  it('rejects malformed images', () => {
    expect(() => normalizeToChw({ width: 2, height: 2, data: new Uint8Array(11) })).toThrow(/11 bytes, expected 2·2·3 = 12/);
  });
});

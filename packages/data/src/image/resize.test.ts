import { describe, expect, it } from 'vitest';
import { Rng, isLvrError } from '@lvr/core';
import { resizeBicubic } from './resize.js';
import { resizeBicubicPil } from './pil-resample.js';
import type { RgbImage } from './rgb-image.js';

function noise(width: number, height: number, seed: number): RgbImage {
  const rng = new Rng(seed);
  return { width, height, data: Uint8Array.from({ length: width * height * 3 }, () => rng.int(256)), source: 'noise.png' };
}

describe('resizeBicubic', () => {
  it('defaults to the PIL-identical engine', async () => {
    const img = noise(41, 29, 1);
    const out = await resizeBicubic(img, 56, 28);
    expect(out.data).toEqual(resizeBicubicPil(img, 56, 28).data);
    expect(out.source).toBe('noise.png');
  });

  it('uses libvips for engine "sharp": right size, close to PIL when shrinking smooth content', async () => {
    // Smooth horizontal ramp, shrunk 3× — both implementations should agree within a couple of levels.
    const w = 300;
    const data = new Uint8Array(w * 30 * 3);
    for (let i = 0; i < w * 30; i++) data.fill(Math.floor(((i % w) * 255) / (w - 1)), i * 3, i * 3 + 3);
    const img = { width: w, height: 30, data };
    const fast = await resizeBicubic(img, 100, 10, { engine: 'sharp' });
    expect([fast.width, fast.height, fast.data.length]).toEqual([100, 10, 3000]);
    const exact = resizeBicubicPil(img, 100, 10);
    let maxDiff = 0;
    for (let i = 0; i < exact.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs((exact.data[i] as number) - (fast.data[i] as number)));
    expect(maxDiff).toBeLessThanOrEqual(3);
  });

  it('returns a copy for an unchanged size with either engine', async () => {
    const img = noise(28, 28, 2);
    for (const engine of ['pil', 'sharp'] as const) {
      const out = await resizeBicubic(img, 28, 28, { engine });
      expect(out.data).toEqual(img.data);
      expect(out.data).not.toBe(img.data);
    }
  });

  it('rejects an unknown engine, bad sizes and malformed images, naming the source', async () => {
    const img = noise(4, 4, 3);
    await expect(resizeBicubic(img, 8, 8, { engine: 'lanczos' as never })).rejects.toThrow(/engine must be one of pil, sharp/);
    await expect(resizeBicubic(img, -1, 8, { engine: 'sharp' })).rejects.toThrow(/noise\.png: resize target must be positive integers/);
    const bad = { width: 4, height: 4, data: new Uint8Array(5), source: 'bad.png' };
    const e = await resizeBicubic(bad, 8, 8).catch((err: unknown) => err);
    expect(isLvrError(e) && e.code).toBe('SHAPE_MISMATCH');
    expect((e as Error).message).toMatch(/^bad\.png: image data has 5 bytes/);
  });
});

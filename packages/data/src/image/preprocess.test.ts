import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng, isLvrError } from '@lvr/core';
import { DecodeBudget } from './decode-budget.js';
import { loadAndPreprocessImage, preprocessImage } from './preprocess.js';
import { normalizeToChw } from './normalize.js';
import { patchify } from './patchify.js';
import { resizeBicubicPil } from './pil-resample.js';
import type { RgbImage } from './rgb-image.js';

const STAGE1 = { minPixels: 100352, maxPixels: 4014080 };
const MEAN = [0.48145466, 0.4578275, 0.40821073];
const STD = [0.26862954, 0.26130258, 0.27577711];
const dir = mkdtempSync(join(tmpdir(), 'lvr-pre-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function solid(width: number, height: number, value: number): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3).fill(value) };
}

function noise(width: number, height: number, seed: number): RgbImage {
  const rng = new Rng(seed);
  return { width, height, data: Uint8Array.from({ length: width * height * 3 }, () => rng.int(256)) };
}

describe('preprocessImage', () => {
  it('448×448 (stage-1 budget): no resize, 1024 rows of 1176, grid (1,32,32), 256 tokens', async () => {
    const p = await preprocessImage(noise(448, 448, 1), STAGE1);
    expect([p.rows, p.rowWidth, p.pixelValues.length]).toEqual([1024, 1176, 1024 * 1176]);
    expect(p.gridThw).toEqual({ t: 1, h: 32, w: 32 });
    expect([p.resizedWidth, p.resizedHeight, p.originalWidth, p.originalHeight, p.numTokens]).toEqual([448, 448, 448, 448, 256]);
  });

  it('1000×750 → 1008×756, grid (1,54,72), 972 tokens', async () => {
    const img = noise(1000, 750, 2);
    const p = await preprocessImage(img, STAGE1);
    expect([p.resizedWidth, p.resizedHeight, p.originalWidth, p.originalHeight]).toEqual([1008, 756, 1000, 750]);
    expect(p.gridThw).toEqual({ t: 1, h: 54, w: 72 });
    expect([p.numTokens, p.rows, p.pixelValues.length]).toEqual([972, 3888, 3888 * 1176]);
    // It is exactly resize → normalize → patchify.
    const expected = patchify(normalizeToChw(resizeBicubicPil(img, 1008, 756)), 756, 1008);
    expect(Buffer.compare(Buffer.from(p.pixelValues.buffer), Buffer.from(expected.buffer))).toBe(0);
  });

  it('100×100 is upscaled to 336×336 (144 tokens)', async () => {
    const p = await preprocessImage(noise(100, 100, 3), STAGE1);
    expect([p.resizedWidth, p.resizedHeight, p.numTokens]).toEqual([336, 336, 144]);
  });

  it.each([
    [0, (c: number): number => -(MEAN[c] as number) / (STD[c] as number)],
    [255, (c: number): number => (1 - (MEAN[c] as number)) / (STD[c] as number)],
  ])('a solid %i image gives the CLIP constants in every channel of both frames', async (value, expectedFor) => {
    const p = await preprocessImage(solid(56, 56, value));
    expect(p.rows).toBe(16);
    for (let r = 0; r < p.rows; r++) {
      for (let c = 0; c < 3; c++) {
        for (let t = 0; t < 2; t++) {
          const start = r * 1176 + (c * 2 + t) * 196;
          const slice = p.pixelValues.subarray(start, start + 196);
          const v = expectedFor(c);
          expect(slice.every((x) => Math.abs(x - v) < 1e-6)).toBe(true);
        }
      }
    }
    expect(p.pixelValues[0]).toBeCloseTo(value === 0 ? -1.7922626 : 1.9303361, 6);
  });

  it('miniature parameters: patch 8, merge 2, T 2 on 64×64 → 64 rows of 384, grid (1,8,8), 16 tokens', async () => {
    const p = await preprocessImage(noise(64, 64, 4), { patchSize: 8, mergeSize: 2, temporalPatchSize: 2 });
    expect([p.rows, p.rowWidth, p.numTokens, p.resizedWidth]).toEqual([64, 384, 16, 64]);
    expect(p.gridThw).toEqual({ t: 1, h: 8, w: 8 });
  });

  it('doResize false feeds the pixels as they are, and rejects off-grid sizes', async () => {
    const img = noise(56, 28, 5);
    const p = await preprocessImage(img, { doResize: false });
    expect(p.pixelValues).toEqual(patchify(normalizeToChw(img), 28, 56));
    await expect(preprocessImage(noise(50, 28, 6), { doResize: false })).rejects.toThrow(/width 50 is not a multiple/);
  });

  it('the sharp engine yields the same shapes', async () => {
    const p = await preprocessImage(noise(100, 70, 7), { resizeEngine: 'sharp' });
    const q = await preprocessImage(noise(100, 70, 7));
    expect([p.rows, p.rowWidth, p.gridThw]).toEqual([q.rows, q.rowWidth, q.gridThw]);
  });

  it('names the file when the aspect ratio exceeds 200', async () => {
    const file = join(dir, 'strip.png');
    await sharp({ create: { width: 201, height: 1, channels: 3, background: '#ffffff' } }).png().toFile(file);
    const e = await loadAndPreprocessImage(file).catch((err: unknown) => err);
    expect(isLvrError(e) && e.code).toBe('INVALID_ARGUMENT');
    expect((e as Error).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: smartResize: aspect ratio 201`));
    expect(isLvrError(e) && e.details.file).toBe(file);
  });

  it('loads and preprocesses a JPEG from disk end to end', async () => {
    const file = join(dir, 'photo.jpg');
    await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3366cc' } }).jpeg().toFile(file);
    const p = await loadAndPreprocessImage(file, STAGE1);
    expect([p.resizedWidth, p.resizedHeight, p.numTokens]).toEqual([644, 476, 391]);
    expect(p.gridThw).toEqual({ t: 1, h: 34, w: 46 });
  });

  it('applies the decode limits of loadOpts and holds the decode budget until preprocessing is done', async () => {
    const file = join(dir, 'limit.png');
    await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3366cc' } }).png().toFile(file);
    await expect(loadAndPreprocessImage(file, STAGE1, { maxInputPixels: 640 * 480 - 1 })).rejects.toMatchObject({
      code: 'IMAGE_INVALID',
      message: `image ${file} is 640×480 (307200 px), over the decode limit of 307199 px (maxInputPixels)`,
    });
    const budget = new DecodeBudget(1024 * 1024);
    const inside: unknown[] = [];
    const run = budget.run.bind(budget);
    budget.run = (bytes, fn) => run(bytes, async () => {
      const out = await fn();
      inside.push(out); // what was computed while the budget was held
      return out;
    });
    const p = await loadAndPreprocessImage(file, STAGE1, { maxInputPixels: 640 * 480, decodeBudget: budget });
    expect(p.numTokens).toBe(391);
    expect(inside).toEqual([p]); // the preprocessed image, not just the decoded pixels
    expect(budget.inFlightBytes).toBe(0);
  });

  it('rejects malformed images and NaN sizes with a clear LvrError', async () => {
    const bad = { width: NaN, height: 10, data: new Uint8Array(0), source: 'x.png' };
    const e = await preprocessImage(bad).catch((err: unknown) => err);
    expect(isLvrError(e) && e.code).toBe('INVALID_ARGUMENT');
    expect((e as Error).message).toBe('x.png: image width must be a positive integer, got NaN');
    await expect(preprocessImage({ width: 2, height: 2, data: new Uint8Array(3) })).rejects.toThrow(/3 bytes, expected 2·2·3 = 12/);
  });
});

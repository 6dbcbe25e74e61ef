import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageChecker } from './image-check.js';
import { resolveDatasetReadOptions } from './options.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-image-check-'));
  await writeFile(join(dir, 'ok.png'), await sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } }).png().toBuffer());
  await writeFile(join(dir, 'bomb.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="16000" height="16000"><rect width="16000" height="16000"/></svg>');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ImageChecker decode mode', () => {
  it('decodes with the loader\'s limits: SVG and oversize images are IMAGE_INVALID naming the file', async () => {
    const checker = new ImageChecker('decode');
    await expect(checker.check(join(dir, 'ok.png'))).resolves.toBeUndefined();
    await expect(checker.check(join(dir, 'bomb.svg'))).rejects.toMatchObject({
      code: 'IMAGE_INVALID',
      message: expect.stringContaining(`image ${join(dir, 'bomb.svg')} is SVG (a vector format)`),
    });
    const small = new ImageChecker('decode', { maxInputPixels: 1199 });
    await expect(small.check(join(dir, 'ok.png'))).rejects.toMatchObject({
      code: 'IMAGE_INVALID',
      message: `image ${join(dir, 'ok.png')} is 40×30 (1200 px), over the decode limit of 1199 px (maxInputPixels)`,
    });
  });

  it('exists mode does not decode, so it lets the SVG through', async () => {
    await expect(new ImageChecker('exists').check(join(dir, 'bomb.svg'))).resolves.toBeUndefined();
  });
});

describe('resolveDatasetReadOptions imageDecode', () => {
  it('keeps the decode limits and validates them up front', () => {
    expect(resolveDatasetReadOptions({ imageFolder: dir }).imageDecode).toEqual({});
    expect(resolveDatasetReadOptions({ imageFolder: dir, imageDecode: { maxInputPixels: 5 } }).imageDecode).toEqual({ maxInputPixels: 5 });
    expect(() => resolveDatasetReadOptions({ imageFolder: dir, imageDecode: { maxInputPixels: 0 } })).toThrow(/maxInputPixels must be a positive integer/);
    expect(() => resolveDatasetReadOptions({ imageFolder: dir, imageDecode: 'big' as never })).toThrow(/imageDecode must be an object/);
  });
});

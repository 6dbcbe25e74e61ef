import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import type { LvrError } from '@lvr/core';
import { loadImage } from './load-image.js';

const dir = mkdtempSync(join(tmpdir(), 'lvr-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function caught(p: Promise<unknown>): Promise<LvrError> {
  try {
    await p;
  } catch (e) {
    if (isLvrError(e)) return e;
    throw e;
  }
  throw new Error('expected an LvrError');
}

/** Pillow's paste-with-mask blend over white, written out: round((255·(255−a) + c·a) / 255). */
function overWhite(c: number, a: number): number {
  return Math.round((255 * (255 - a) + c * a) / 255);
}

describe('loadImage', () => {
  it('decodes an RGB PNG exactly, from a path or from bytes', async () => {
    const raw = Uint8Array.from({ length: 7 * 3 * 3 }, (_, i) => (i * 37) % 256);
    const png = await sharp(raw, { raw: { width: 7, height: 3, channels: 3 } }).png().toBuffer();
    const file = join(dir, 'rgb.png');
    writeFileSync(file, png);
    const fromFile = await loadImage(file);
    expect([fromFile.width, fromFile.height, fromFile.source]).toEqual([7, 3, file]);
    expect(Array.from(fromFile.data)).toEqual(Array.from(raw));
    const fromBytes = await loadImage(png, { name: 'mem.png' });
    expect(fromBytes.source).toBe('mem.png');
    expect(fromBytes.data).toEqual(fromFile.data);
    expect(fromBytes.data).toBeInstanceOf(Uint8Array);
  });

  it('composites alpha on white: transparent → white, every alpha level like Pillow', async () => {
    // 256×1 RGBA: pixel a has colour (10, 128, 250) and alpha a.
    const rgba = new Uint8Array(256 * 4);
    for (let a = 0; a < 256; a++) rgba.set([10, 128, 250, a], a * 4);
    const png = await sharp(rgba, { raw: { width: 256, height: 1, channels: 4 } }).png().toBuffer();
    const img = await loadImage(png);
    expect(img.data.length).toBe(256 * 3);
    expect(Array.from(img.data.subarray(0, 3))).toEqual([255, 255, 255]); // fully transparent → white
    expect(Array.from(img.data.subarray(255 * 3))).toEqual([10, 128, 250]); // opaque → unchanged
    for (let a = 0; a < 256; a++) {
      expect(Array.from(img.data.subarray(a * 3, a * 3 + 3))).toEqual([overWhite(10, a), overWhite(128, a), overWhite(250, a)]);
    }
  });

  it('turns greyscale (with or without alpha) into RGB', async () => {
    const grey = await sharp(Uint8Array.from([0, 100, 255, 7]), { raw: { width: 4, height: 1, channels: 1 } }).toColourspace('b-w').png().toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    expect(Array.from((await loadImage(grey)).data)).toEqual([0, 0, 0, 100, 100, 100, 255, 255, 255, 7, 7, 7]);
    const greyAlpha = await sharp(Uint8Array.from([100, 0, 100, 255]), { raw: { width: 2, height: 1, channels: 2 } }).toColourspace('b-w').png().toBuffer();
    expect((await sharp(greyAlpha).metadata()).channels).toBe(2);
    expect(Array.from((await loadImage(greyAlpha)).data)).toEqual([255, 255, 255, 100, 100, 100]);
  });

  it('reduces 16-bit PNGs to 8 bits', async () => {
    const png16 = await sharp({ create: { width: 3, height: 2, channels: 3, background: { r: 200, g: 20, b: 90 } } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const img = await loadImage(png16);
    expect(img.data.length).toBe(18);
    expect(Array.from(img.data.subarray(0, 3))).toEqual([200, 20, 90]);
  });

  it('converts CMYK JPEGs to RGB', async () => {
    const cmyk = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 230, g: 40, b: 40 } } })
      .toColourspace('cmyk')
      .jpeg()
      .toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const img = await loadImage(cmyk);
    const [r, g, b] = Array.from(img.data.subarray(0, 3)) as [number, number, number];
    expect(img.data.length).toBe(8 * 8 * 3);
    expect(r).toBeGreaterThan(150); // still clearly red after the round trip through CMYK
    expect(g).toBeLessThan(110);
    expect(b).toBeLessThan(110);
  });

  it('ignores EXIF orientation unless autoOrient is set', async () => {
    const jpeg = await sharp({ create: { width: 30, height: 10, channels: 3, background: '#808080' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const stored = await loadImage(jpeg);
    expect([stored.width, stored.height]).toEqual([30, 10]);
    const oriented = await loadImage(jpeg, { autoOrient: true });
    expect([oriented.width, oriented.height]).toEqual([10, 30]);
  });

  it('reports a missing file as IO_ERROR naming the path, with the fs error as cause', async () => {
    const file = join(dir, 'nope.jpg');
    const e = await caught(loadImage(file));
    expect(e.code).toBe('IO_ERROR');
    expect(e.message).toContain(file);
    expect(e.message).toContain('ENOENT');
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(e.details.file).toBe(file);
  });

  it('reports corrupt, truncated and empty data as IMAGE_INVALID naming the file', async () => {
    const corrupt = join(dir, 'corrupt.png');
    writeFileSync(corrupt, Buffer.from('definitely not an image'));
    const e1 = await caught(loadImage(corrupt));
    expect(e1.code).toBe('IMAGE_INVALID');
    expect(e1.message).toContain(corrupt);
    expect(e1.cause).toBeInstanceOf(Error);

    const full = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#123456' } }).png().toBuffer();
    const e2 = await caught(loadImage(full.subarray(0, full.length - 40), { name: 'cut.png' }));
    expect(e2.code).toBe('IMAGE_INVALID');
    expect(e2.message).toMatch(/cut\.png/);

    const empty = join(dir, 'empty.jpg');
    writeFileSync(empty, new Uint8Array(0));
    const e3 = await caught(loadImage(empty));
    expect(e3.code).toBe('IMAGE_INVALID');
    expect(e3.message).toBe(`image ${empty} is empty (0 bytes)`);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import type { LvrError } from '@lvr/core';
import { DecodeBudget } from './decode-budget.js';
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

/** A 1×1 PNG whose IHDR is patched to declare `width × height` (CRC fixed): a decompression bomb's header. */
async function pngDeclaring(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png().toBuffer());
  // 8-byte signature, then the IHDR chunk: length (4), type (4) at 12, width at 16, height at 20, CRC of type + 13 data bytes at 29.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

/** A budget whose `run` counts how many decodes are inside it at once. */
function countingBudget(bytes: number): { budget: DecodeBudget; calls: () => number; peak: () => number } {
  const budget = new DecodeBudget(bytes);
  const run = budget.run.bind(budget);
  let calls = 0;
  let active = 0;
  let peak = 0;
  budget.run = <T>(n: number, fn: () => Promise<T>): Promise<T> => {
    calls++;
    return run(n, async () => {
      peak = Math.max(peak, ++active);
      try {
        return await fn();
      } finally {
        active--;
      }
    });
  };
  return { budget, calls: () => calls, peak: () => peak };
}

const MIB = 1024 * 1024;
const SVG_BOMB = '<svg xmlns="http://www.w3.org/2000/svg" width="16000" height="16000"><rect width="16000" height="16000"/></svg>';

describe('loadImage decode limits (decompression bombs)', () => {
  it('refuses a 111-byte SVG declaring 16000×16000 from its header: fast, nothing decoded', async () => {
    const { budget, calls } = countingBudget(64 * MIB);
    const rss = process.memoryUsage().rss;
    const t0 = performance.now();
    const e = await caught(loadImage(Buffer.from(SVG_BOMB), { name: 'bomb.svg', decodeBudget: budget }));
    expect(performance.now() - t0).toBeLessThan(2000); // rendering it took seconds and 1.8 GiB
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * MIB);
    expect(calls()).toBe(0); // refused before a decode was even queued
    expect(e.code).toBe('IMAGE_INVALID');
    expect(e.message).toBe('image bomb.svg is SVG (a vector format); vector images are decoded only with allowVector: true');
    expect(e.details).toMatchObject({ file: 'bomb.svg', format: 'svg', width: 16000, height: 16000 });
    // Vector formats allowed: the pixel limit still refuses it.
    const e2 = await caught(loadImage(Buffer.from(SVG_BOMB), { name: 'bomb.svg', allowVector: true, decodeBudget: budget }));
    expect(e2.code).toBe('IMAGE_INVALID');
    expect(e2.message).toBe('image bomb.svg is 16000×16000 (256 Mpx), over the decode limit of 40 Mpx (maxInputPixels)');
    expect(calls()).toBe(0);
  });

  it('decodes a small SVG only with allowVector', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"><rect width="4" height="2" fill="#ff0000"/></svg>');
    expect((await caught(loadImage(svg))).message).toMatch(/is SVG \(a vector format\)/);
    const img = await loadImage(svg, { allowVector: true });
    expect([img.width, img.height]).toEqual([4, 2]);
    expect(Array.from(img.data.subarray(0, 3))).toEqual([255, 0, 0]);
  });

  it('refuses a 90-byte PNG whose header declares 16383×16383, naming the file and the size', async () => {
    const file = join(dir, 'bomb.png');
    writeFileSync(file, await pngDeclaring(16383, 16383));
    const { budget, calls } = countingBudget(64 * MIB);
    const t0 = performance.now();
    const e = await caught(loadImage(file, { decodeBudget: budget }));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(calls()).toBe(0);
    expect(e.code).toBe('IMAGE_INVALID');
    expect(e.message).toBe(`image ${file} is 16383×16383 (268.4 Mpx), over the decode limit of 40 Mpx (maxInputPixels)`);
    expect(e.details).toMatchObject({ file, width: 16383, height: 16383, pixels: 16383 * 16383, maxInputPixels: 40_000_000 });
  });

  it('takes maxInputPixels per call: the limit is inclusive, and raising it lets the header through', async () => {
    const raw = Uint8Array.from({ length: 100 * 80 * 3 }, (_, i) => (i * 7) % 256);
    const png = await sharp(raw, { raw: { width: 100, height: 80, channels: 3 } }).png().toBuffer();
    expect((await caught(loadImage(png, { maxInputPixels: 7999 }))).message).toBe(
      'image <bytes> is 100×80 (8000 px), over the decode limit of 7999 px (maxInputPixels)',
    );
    expect(Array.from((await loadImage(png, { maxInputPixels: 8000 })).data)).toEqual(Array.from(raw));
    // A 2000×2000 header over 1×1 of pixel data: refused by the limit below 4 Mpx; at 4 Mpx the header passes
    // and the decoder (not the limit) rejects the missing pixel data.
    const lying = await pngDeclaring(2000, 2000);
    expect((await caught(loadImage(lying, { name: 'lying.png', maxInputPixels: 3_999_999 }))).message).toBe(
      'image lying.png is 2000×2000 (4000000 px), over the decode limit of 3999999 px (maxInputPixels)',
    );
    expect((await caught(loadImage(lying, { name: 'lying.png', maxInputPixels: 4_000_000 }))).message).toMatch(/^cannot decode image lying\.png: /);
  });

  it('rejects bad limits with INVALID_ARGUMENT', async () => {
    const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } }).png().toBuffer();
    for (const maxInputPixels of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const e = await caught(loadImage(png, { maxInputPixels }));
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.message).toMatch(/maxInputPixels must be a positive integer/);
    }
    expect((await caught(loadImage(png, { allowVector: 'yes' as unknown as boolean }))).message).toMatch(/allowVector must be a boolean/);
  });

  it('decodes concurrent calls one at a time when their estimates fill the budget', async () => {
    // 600×600 RGBA: 600·600·7 bytes ≈ 2.4 MiB → 3 MiB of a 4 MiB budget each, so only one fits at a time.
    const rgba = new Uint8Array(600 * 600 * 4).fill(200);
    const png = await sharp(rgba, { raw: { width: 600, height: 600, channels: 4 } }).png().toBuffer();
    const tight = countingBudget(4 * MIB);
    const imgs = await Promise.all(Array.from({ length: 4 }, () => loadImage(png, { decodeBudget: tight.budget })));
    expect(imgs.map((im) => im.data.length)).toEqual(Array(4).fill(600 * 600 * 3));
    expect(tight.calls()).toBe(4);
    expect(tight.peak()).toBe(1);
    expect(tight.budget.inFlightBytes).toBe(0);
  });
});

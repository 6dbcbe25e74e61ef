import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { resolveDecodeLimits } from './decode-limits.js';
import { checkImageHeader, readImageHeader, type ImageHeader } from './image-header.js';

function refusal(header: ImageHeader, limits = resolveDecodeLimits()): string | undefined {
  try {
    checkImageHeader(header, limits, 'x.img');
    return undefined;
  } catch (e) {
    if (!isLvrError(e)) throw e;
    expect(e.code).toBe('IMAGE_INVALID');
    return e.message;
  }
}

describe('readImageHeader', () => {
  it('reads format, size and alpha without decoding', async () => {
    const png = await sharp({ create: { width: 5, height: 3, channels: 4, background: '#00000080' } }).png().toBuffer();
    expect(await readImageHeader(png, 'a.png')).toEqual({ format: 'png', width: 5, height: 3, hasAlpha: true });
    const jpeg = await sharp({ create: { width: 7, height: 2, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    expect(await readImageHeader(jpeg, 'b.jpg')).toEqual({ format: 'jpeg', width: 7, height: 2, hasAlpha: false });
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="16000" height="9000"/>');
    expect(await readImageHeader(svg, 'c.svg')).toEqual({ format: 'svg', width: 16000, height: 9000, hasAlpha: true });
  });

  it('reports the first page of a multi-page image (the one that is decoded)', async () => {
    const raw = new Uint8Array(10 * 21 * 3).fill(90);
    const gif = await sharp(raw, { raw: { width: 10, height: 21, channels: 3, pageHeight: 7 } }).gif().toBuffer();
    expect(await readImageHeader(gif, 'anim.gif')).toMatchObject({ format: 'gif', width: 10, height: 7 });
  });

  it('rejects bytes that are not an image as IMAGE_INVALID naming the file', async () => {
    await expect(readImageHeader(Buffer.from('not an image'), 'junk.png')).rejects.toMatchObject({
      code: 'IMAGE_INVALID',
      message: expect.stringMatching(/^cannot read the image header of junk\.png \(/),
      details: { file: 'junk.png' },
    });
  });
});

describe('checkImageHeader', () => {
  const png = (width: number, height: number): ImageHeader => ({ format: 'png', width, height, hasAlpha: false });

  it('applies the default limit of 40 Mpx, inclusive', () => {
    expect(refusal(png(8000, 5000))).toBeUndefined();
    expect(refusal(png(40_000_001, 1))).toBe('image x.img is 40000001×1 (40000001 px), over the decode limit of 40000000 px (maxInputPixels)');
    expect(refusal(png(16383, 16383))).toBe('image x.img is 16383×16383 (268.4 Mpx), over the decode limit of 40 Mpx (maxInputPixels)');
  });

  it('uses the caller\'s maxInputPixels', () => {
    expect(refusal(png(16383, 16383), resolveDecodeLimits({ maxInputPixels: 16383 * 16383 }))).toBeUndefined();
    expect(refusal(png(1000, 1000), resolveDecodeLimits({ maxInputPixels: 999_999 }))).toMatch(/1000×1000 \(1 Mpx\), over the decode limit of 999999 px/);
  });

  it('refuses vector formats unless allowVector, and formats outside the raster list always', () => {
    const svg: ImageHeader = { format: 'svg', width: 10, height: 10, hasAlpha: true };
    expect(refusal(svg)).toBe('image x.img is SVG (a vector format); vector images are decoded only with allowVector: true');
    expect(refusal({ ...svg, format: 'pdf' })).toMatch(/is PDF \(a vector format\)/);
    expect(refusal(svg, resolveDecodeLimits({ allowVector: true }))).toBeUndefined();
    expect(refusal({ ...svg, format: 'vips' }, resolveDecodeLimits({ allowVector: true }))).toMatch(/unsupported format vips \(accepted: jpeg, png, webp/);
    for (const format of ['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']) expect(refusal({ ...svg, format })).toBeUndefined();
  });
});

import { LvrError } from '@lvr/core';
import { RASTER_FORMATS, VECTOR_FORMATS, type ResolvedImageDecodeLimits } from './decode-limits.js';
import type { Metadata } from 'sharp';
import { loadSharp } from './sharp.js';

/** What an image file's header says, read without decoding its pixels. */
export interface ImageHeader {
  /** sharp's format name: `jpeg`, `png`, `webp`, `gif`, `tiff`, `heif` (AVIF / HEIC), `svg`, … */
  readonly format: string;
  /** Width in pixels of the page that is decoded (the first). */
  readonly width: number;
  /** Height in pixels of the page that is decoded (the first). */
  readonly height: number;
  /** Whether the decoded pixels have an alpha channel. */
  readonly hasAlpha: boolean;
}

/**
 * Reads an image's header with sharp `metadata()` (format, size; no pixels are decoded — for SVG, librsvg
 * parses the document but renders nothing).
 *
 * @param name The file named in error messages.
 * @throws LvrError `IMAGE_INVALID` when the bytes are not an image sharp knows or declare no size.
 * @example
 * const h = await readImageHeader(await readFile('cat.jpg'), 'cat.jpg'); // { format: 'jpeg', width: 640, … }
 */
export async function readImageHeader(source: string | Uint8Array, name: string): Promise<ImageHeader> {
  const sharp = await loadSharp();
  let meta: Metadata;
  try {
    meta = await sharp(source).metadata();
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new LvrError('IMAGE_INVALID', `cannot read the image header of ${name} (${why})`, { cause, details: { file: name } });
  }
  const { format, width, height } = meta;
  if (typeof format !== 'string' || !Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new LvrError('IMAGE_INVALID', `image ${name} has no size in its header`, { details: { file: name } });
  }
  return { format, width, height, hasAlpha: meta.hasAlpha === true || format === 'svg' };
}

/**
 * Refuses, before decoding, an image whose format or declared size is not allowed by `limits`: vector
 * formats (SVG, PDF) unless `allowVector`, formats outside {@link RASTER_FORMATS}, and more than
 * `maxInputPixels` pixels (the defence against decompression bombs: tiny files that declare huge sizes).
 *
 * @throws LvrError `IMAGE_INVALID` naming the file, its format or size, and the limit.
 * @example
 * checkImageHeader({ format: 'png', width: 16383, height: 16383, hasAlpha: false }, resolveDecodeLimits(), 'bomb.png');
 * // throws: image bomb.png is 16383×16383 (268.4 Mpx), over the decode limit of 40 Mpx (maxInputPixels)
 */
export function checkImageHeader(header: ImageHeader, limits: ResolvedImageDecodeLimits, name: string): void {
  const { format, width, height } = header;
  const details = { file: name, format, width, height };
  if (VECTOR_FORMATS.includes(format)) {
    if (!limits.allowVector) {
      throw new LvrError('IMAGE_INVALID', `image ${name} is ${format.toUpperCase()} (a vector format); vector images are decoded only with allowVector: true`, {
        details,
      });
    }
  } else if (!RASTER_FORMATS.includes(format)) {
    throw new LvrError('IMAGE_INVALID', `image ${name} has the unsupported format ${format} (accepted: ${RASTER_FORMATS.join(', ')})`, { details });
  }
  const pixels = width * height;
  if (pixels > limits.maxInputPixels) {
    let [size, limit] = [pixelCount(pixels), pixelCount(limits.maxInputPixels)];
    if (size === limit) [size, limit] = [`${pixels} px`, `${limits.maxInputPixels} px`]; // rounding hid the difference
    throw new LvrError('IMAGE_INVALID', `image ${name} is ${width}×${height} (${size}), over the decode limit of ${limit} (maxInputPixels)`, {
      details: { ...details, pixels, maxInputPixels: limits.maxInputPixels },
    });
  }
}

/** `268.4 Mpx`, or `8000 px` under a megapixel. */
function pixelCount(pixels: number): string {
  return pixels >= 1e6 ? `${Math.round(pixels / 1e5) / 10} Mpx` : `${pixels} px`;
}

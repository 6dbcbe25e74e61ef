import { readFile } from 'node:fs/promises';
import { LvrError } from '@lvr/core';
import { defaultDecodeBudget, estimateDecodeBytes } from './decode-budget.js';
import { resolveDecodeLimits, type ImageDecodeOptions, type ResolvedImageDecodeLimits } from './decode-limits.js';
import { checkImageHeader, readImageHeader } from './image-header.js';
import type { RgbImage } from './rgb-image.js';
import { loadSharp } from './sharp.js';

/** Options of {@link loadImage}: the decode limits ({@link ImageDecodeOptions}) plus naming and orientation. */
export interface LoadImageOptions extends ImageDecodeOptions {
  /** Name used in error messages and as `RgbImage.source` for in-memory bytes. Default `"<bytes>"`. */
  name?: string;
  /**
   * Rotate / flip by the EXIF Orientation tag. Default **false**, matching the reference pipeline
   * (`qwen_vl_utils` opens with PIL and never applies `exif_transpose`), so bbox coordinates in datasets
   * refer to the stored, un-rotated pixels.
   */
  autoOrient?: boolean;
}

/**
 * RGBA → RGB over an opaque white background with Pillow's integer blend (`Image.paste` with an alpha mask):
 * `t = 255·(255 − a) + c·a + 128`, then `((t >> 8) + t) >> 8` (= round(·/255) over this range).
 */
function compositeOnWhite(rgba: Uint8Array): Uint8Array {
  const out = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, o = 0; i < rgba.length; i += 4) {
    const a = rgba[i + 3] as number;
    const bg = 255 * (255 - a);
    for (let c = 0; c < 3; c++) {
      const t = bg + (rgba[i + c] as number) * a + 128;
      out[o++] = ((t >> 8) + t) >> 8;
    }
  }
  return out;
}

async function readBytes(source: string | Uint8Array, name: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  if (typeof source === 'string') {
    try {
      bytes = await readFile(source);
    } catch (cause) {
      const why = (cause as NodeJS.ErrnoException).code ?? String(cause);
      throw new LvrError('IO_ERROR', `cannot read image file ${source} (${why})`, { cause, details: { file: source } });
    }
  } else if (source instanceof Uint8Array) {
    bytes = source;
  } else {
    throw new LvrError('INVALID_ARGUMENT', 'loadImage: source must be a file path or a Uint8Array of encoded bytes');
  }
  if (bytes.length === 0) {
    throw new LvrError('IMAGE_INVALID', `image ${name} is empty (0 bytes)`, { details: { file: name } });
  }
  return bytes;
}

async function decode(bytes: Uint8Array, name: string, limits: ResolvedImageDecodeLimits, autoOrient: boolean): Promise<RgbImage> {
  const sharp = await loadSharp();
  try {
    // limitInputPixels repeats the header check inside libvips (defence in depth).
    const pipeline = sharp(bytes, { failOn: 'warning', ignoreIcc: true, autoOrient, limitInputPixels: limits.maxInputPixels });
    const { data, info } = await pipeline.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const { width, height, channels } = info;
    if ((channels !== 3 && channels !== 4) || width <= 0 || height <= 0 || data.length !== width * height * channels) {
      throw new Error(`decoder returned ${width}×${height}×${channels} (${data.length} bytes)`);
    }
    const bytesOut = new Uint8Array(data.buffer, data.byteOffset, data.length);
    return { width, height, data: channels === 4 ? compositeOnWhite(bytesOut) : bytesOut, source: name };
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new LvrError('IMAGE_INVALID', `cannot decode image ${name}: ${why}`, { cause, details: { file: name } });
  }
}

/**
 * Reads, checks and decodes an image like {@link loadImage}, then runs `use` on the pixels while the decode's
 * share of the memory budget is held (so `loadAndPreprocessImage` counts the preprocessing too).
 */
export async function withDecodedImage<T>(source: string | Uint8Array, opts: LoadImageOptions, use: (img: RgbImage) => Promise<T>): Promise<T> {
  const limits = resolveDecodeLimits(opts);
  const name = typeof source === 'string' ? source : (opts.name ?? '<bytes>');
  const bytes = await readBytes(source, name);
  const header = await readImageHeader(bytes, name);
  checkImageHeader(header, limits, name);
  const budget = opts.decodeBudget ?? defaultDecodeBudget;
  return budget.run(estimateDecodeBytes(header), async () => use(await decode(bytes, name, limits, opts.autoOrient === true)));
}

/**
 * Decodes an image file (path) or encoded bytes (JPEG, PNG, WebP, GIF first frame, TIFF, AVIF, …) with sharp
 * into 8-bit {@link RgbImage}, the way `qwen_vl_utils.fetch_image` does with PIL:
 * - any alpha channel is composited on **white** (not black), with Pillow's integer blend (bit-identical);
 * - greyscale, palette, CMYK and 16-bit inputs become 8-bit RGB;
 * - embedded ICC profiles are **ignored** (PIL's `convert("RGB")` ignores them too), so stored values are
 *   kept; CMYK is converted with libvips' generic CMYK profile (PIL uses a naive formula; rare in practice);
 * - EXIF orientation is not applied unless `autoOrient` (see {@link LoadImageOptions.autoOrient}).
 * Truncated or corrupt data is rejected rather than grey-filled (sharp `failOn: 'warning'`).
 *
 * Decompression bombs are refused before any pixel is decoded: the header's width × height must not exceed
 * `maxInputPixels` (default `DEFAULT_MAX_INPUT_PIXELS`, 40 Mpx), and SVG / PDF are refused unless
 * `allowVector`. Concurrent calls share a memory budget (`decodeBudget`, default the process-wide
 * `defaultDecodeBudget` of 512 MiB), so a `Promise.all` over many large images decodes a few at a time.
 *
 * @throws LvrError `IO_ERROR` (file cannot be read), `IMAGE_INVALID` (empty / undecodable / not an image,
 *   a vector format without `allowVector`, another unsupported format, or over `maxInputPixels`), with the
 *   file named in the message and the underlying error as `cause`; `INVALID_ARGUMENT` for bad options.
 * @example
 * const img = await loadImage('data/images/cat.jpg');
 * img.width, img.height; // pixel size; img.data is RGB interleaved
 * await loadImage('scan.png', { maxInputPixels: 100_000_000 }); // a larger limit for this call
 */
export async function loadImage(source: string | Uint8Array, opts: LoadImageOptions = {}): Promise<RgbImage> {
  return withDecodedImage(source, opts, async (img) => img);
}

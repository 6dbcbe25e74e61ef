import { LvrError } from '@lvr/core';
import { resizeBicubicPil } from './pil-resample.js';
import type { RgbImage } from './rgb-image.js';
import { assertRgbImage, sourcePrefix } from './rgb-image.js';
import { loadSharp } from './sharp.js';

/**
 * Which bicubic implementation resizes images:
 * - `'pil'` (default): pure-JS re-implementation of Pillow's BICUBIC, bit-identical to the reference pipeline
 *   (Qwen2.5-VL was trained on PIL-resized images);
 * - `'sharp'`: libvips `cubic` kernel (Catmull-Rom, same a = −0.5). Faster on large images but not
 *   PIL-identical. Shrinking is close (libvips also widens the kernel; mean |Δ| 0.01–0.6 levels on synthetic
 *   images). Enlarging is not: libvips samples source position `x·s − 0.5` where PIL samples
 *   `(x + 0.5)·s − 0.5` (s = in/out), i.e. content moves by half an output pixel — mean |Δ| 0.6–44 levels
 *   (44 on noise). Most smart-resized images are enlarged on at least one axis (1000×750 → 1008×756).
 *   Figures: tools/pil-reference/README.md.
 */
export type ResizeEngine = 'pil' | 'sharp';

/** All resize engines, for validation and CLIs. */
export const RESIZE_ENGINES: readonly ResizeEngine[] = Object.freeze(['pil', 'sharp']);

/** Options of {@link resizeBicubic}. */
export interface ResizeOptions {
  /** Implementation; default `'pil'`. */
  engine?: ResizeEngine;
}

/**
 * Resizes to exactly `width × height` (aspect ratio not preserved) with a bicubic filter, PIL-identical by
 * default (see {@link ResizeEngine}). Returns a new image (a copy when the size is unchanged, like PIL).
 *
 * @throws LvrError `INVALID_ARGUMENT` for a bad target size, image or engine; `IMAGE_INVALID` if libvips fails.
 * @example
 * const small = await resizeBicubic(img, 448, 448);
 * const fast = await resizeBicubic(img, 448, 448, { engine: 'sharp' });
 */
export async function resizeBicubic(img: RgbImage, width: number, height: number, opts: ResizeOptions = {}): Promise<RgbImage> {
  const engine = opts.engine ?? 'pil';
  if (engine === 'pil') return resizeBicubicPil(img, width, height);
  if (engine !== 'sharp') {
    throw new LvrError('INVALID_ARGUMENT', `resizeBicubic: engine must be one of ${RESIZE_ENGINES.join(', ')}, got ${String(engine)}`, {
      details: { field: 'engine', value: engine },
    });
  }
  assertRgbImage(img);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new LvrError('INVALID_ARGUMENT', `${sourcePrefix(img)}resize target must be positive integers, got ${width}×${height}`, {
      details: { file: img.source, width, height },
    });
  }
  if (width === img.width && height === img.height) {
    return { width, height, data: img.data.slice(), source: img.source };
  }
  const sharp = await loadSharp();
  try {
    const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
      .resize(width, height, { fit: 'fill', kernel: 'cubic' })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.width !== width || info.height !== height || info.channels !== 3) {
      throw new Error(`libvips returned ${info.width}×${info.height}×${info.channels}`);
    }
    return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length), source: img.source };
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new LvrError('IMAGE_INVALID', `${sourcePrefix(img)}bicubic resize to ${width}×${height} failed: ${why}`, {
      cause,
      details: { file: img.source, width, height },
    });
  }
}

import { LvrError, isLvrError } from '@lvr/core';
import type { GridThw } from './grid.js';
import { gridThwFor } from './grid.js';
import type { LoadImageOptions } from './load-image.js';
import { withDecodedImage } from './load-image.js';
import { patchifyRgb } from './patchify.js';
import type { PreprocessOptions, ResolvedPreprocessOptions } from './preprocess-options.js';
import { resolvePreprocessOptions } from './preprocess-options.js';
import type { RgbImage } from './rgb-image.js';
import { assertRgbImage } from './rgb-image.js';
import { resizeBicubic } from './resize.js';

/** One image as the Qwen2.5-VL vision tower consumes it (HF `pixel_values` + `image_grid_thw`). */
export interface PreprocessedImage {
  /** `rows × rowWidth` float32 values, row-major (layout: see `patchify`). */
  readonly pixelValues: Float32Array;
  /** Number of pixel rows = `t · h · w`. */
  readonly rows: number;
  /** Values per row = `3 · temporalPatchSize · patchSize²` (1176 for Qwen2.5-VL). */
  readonly rowWidth: number;
  /** Pre-merge patch grid. */
  readonly gridThw: GridThw;
  /** Width the image was resized to (multiple of `patchSize · mergeSize`). */
  readonly resizedWidth: number;
  /** Height the image was resized to (multiple of `patchSize · mergeSize`). */
  readonly resizedHeight: number;
  /** Width before resizing (boxes in datasets are normalized to the original image). */
  readonly originalWidth: number;
  /** Height before resizing. */
  readonly originalHeight: number;
  /** LLM image tokens = `t · h · w / mergeSize²` (copies of `<|image_pad|>`). */
  readonly numTokens: number;
}

/** Re-throws an LvrError with the image's source named in the message (once). */
function withSource(err: unknown, source: string | undefined): unknown {
  if (source === undefined || !isLvrError(err) || err.message.includes(source)) return err;
  return new LvrError(err.code, `${source}: ${err.message}`, { cause: err, details: { ...err.details, file: source } });
}

/**
 * The full Qwen2.5-VL image pipeline on decoded pixels: smart resize (bicubic, skipped when the size is
 * already right or `doResize` is false) → rescale + CLIP normalization → temporal duplication → patchify
 * (the last three fused in {@link patchifyRgb}).
 *
 * @throws LvrError `INVALID_ARGUMENT` (bad size / aspect ratio > 200), `SHAPE_MISMATCH`, `CONFIG_INVALID`;
 *   messages name `img.source`.
 * @example
 * const img = await loadImage('cat.jpg');
 * const p = await preprocessImage(img, { minPixels: 100352, maxPixels: 4014080 });
 * p.gridThw;   // e.g. { t: 1, h: 54, w: 72 } for a 1000×750 photo
 * p.numTokens; // 972
 */
export async function preprocessImage(
  img: RgbImage,
  opts: PreprocessOptions | ResolvedPreprocessOptions = {},
): Promise<PreprocessedImage> {
  const o = resolvePreprocessOptions(opts);
  try {
    assertRgbImage(img);
    const grid = gridThwFor(img.height, img.width, o);
    const sameSize = grid.resizedWidth === img.width && grid.resizedHeight === img.height;
    const resized = sameSize ? img : await resizeBicubic(img, grid.resizedWidth, grid.resizedHeight, { engine: o.resizeEngine });
    const pixelValues = patchifyRgb(resized, o);
    return Object.freeze({
      pixelValues,
      rows: grid.rows,
      rowWidth: grid.rowWidth,
      gridThw: grid.gridThw,
      resizedWidth: grid.resizedWidth,
      resizedHeight: grid.resizedHeight,
      originalWidth: img.width,
      originalHeight: img.height,
      numTokens: grid.numTokens,
    });
  } catch (err) {
    throw withSource(err, img.source);
  }
}

/**
 * {@link loadImage} then {@link preprocessImage}. The decode limits of `loadOpts` apply (`maxInputPixels`,
 * default 40 Mpx; `allowVector`), and the image's share of the decode memory budget is held until its
 * preprocessing is done.
 *
 * @example
 * const p = await loadAndPreprocessImage('cat.jpg', { minPixels: 100352, maxPixels: 4014080 });
 * const big = await loadAndPreprocessImage('pano.jpg', {}, { maxInputPixels: 80_000_000 });
 */
export async function loadAndPreprocessImage(
  source: string | Uint8Array,
  opts: PreprocessOptions | ResolvedPreprocessOptions = {},
  loadOpts: LoadImageOptions = {},
): Promise<PreprocessedImage> {
  const o = resolvePreprocessOptions(opts);
  return withDecodedImage(source, loadOpts, (img) => preprocessImage(img, o));
}

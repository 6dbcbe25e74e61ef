import { LvrError } from '@lvr/core';
import type { DecodeBudget } from './decode-budget.js';

/**
 * Largest image (width × height, read from the file header) that @lvr decodes by default: 40 Mpx.
 *
 * Why 40 Mpx: sharp's own default (0x3FFF² ≈ 268 Mpx) lets a 122-byte SVG or a 33 KB PNG declaring
 * 16000 × 16000 decode to 1–2 GiB. Qwen2.5-VL never looks at more than its resize budget (`maxPixels`,
 * 12.8 Mpx by default, 4 Mpx in LVR stage 1), so larger inputs only cost memory and time before being
 * shrunk. 40 Mpx still admits every benchmark image (V*'s SA-1B photos, the largest, are a few Mpx), 8K UHD
 * frames (33 Mpx) and 40 MP camera photos, and bounds one decode at 120 MB of RGB (160 MB + 120 MB with
 * alpha); measured: a 7300 × 5479 JPEG preprocesses with default options in 3.3 s on one core at 0.6 GB peak
 * RSS. Pillow, which the reference pipeline uses, warns at 89 Mpx and refuses 179 Mpx. Raise the limit per
 * call with {@link ImageDecodeOptions.maxInputPixels}.
 */
export const DEFAULT_MAX_INPUT_PIXELS = 40_000_000;

/**
 * Bytes of decoded pixels that may be in memory at once across all concurrent decodes of the process that
 * share the default {@link DecodeBudget}: 512 MiB. That is ~48 V*-sized photos (2246 × 1582 RGB) or one
 * 40 Mpx RGBA image at a time; the estimate per image is {@link estimateDecodeBytes}.
 */
export const DEFAULT_DECODE_BUDGET_BYTES = 512 * 1024 * 1024;

/**
 * Raster formats decoded by default (names as sharp's `metadata().format` reports them; AVIF and HEIC are
 * `heif`). Anything else — vector formats, libvips' native `vips` files, ImageMagick — is refused.
 */
export const RASTER_FORMATS: readonly string[] = Object.freeze(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif', 'jp2', 'jxl']);

/**
 * Vector formats: rendered at whatever size the document declares (a 122-byte SVG can ask for 256 Mpx) and
 * parsed by large libraries (librsvg, poppler). Decoded only with {@link ImageDecodeOptions.allowVector}.
 */
export const VECTOR_FORMATS: readonly string[] = Object.freeze(['svg', 'pdf']);

/** Limits every image decode in @lvr/data applies (`loadImage`, `loadAndPreprocessImage`, dataset checks). */
export interface ImageDecodeOptions {
  /**
   * Refuse images whose header declares more than this many pixels (width × height of the decoded page),
   * before any pixel is decoded. Positive integer; default {@link DEFAULT_MAX_INPUT_PIXELS} (40 Mpx).
   */
  maxInputPixels?: number;
  /** Decode vector formats ({@link VECTOR_FORMATS}: SVG, PDF). Default false: they are refused. */
  allowVector?: boolean;
  /**
   * Memory budget the decode waits for (see {@link DecodeBudget}). Default: the process-wide
   * `defaultDecodeBudget` ({@link DEFAULT_DECODE_BUDGET_BYTES}).
   */
  decodeBudget?: DecodeBudget;
}

/** {@link ImageDecodeOptions} with `maxInputPixels` and `allowVector` filled in and checked. */
export interface ResolvedImageDecodeLimits {
  readonly maxInputPixels: number;
  readonly allowVector: boolean;
}

/**
 * Fills the defaults of {@link ImageDecodeOptions} and validates them.
 *
 * @throws LvrError `INVALID_ARGUMENT` naming the bad field.
 * @example
 * resolveDecodeLimits({}).maxInputPixels;                       // 40_000_000
 * resolveDecodeLimits({ maxInputPixels: 100e6 }).maxInputPixels; // 100_000_000
 */
export function resolveDecodeLimits(opts: ImageDecodeOptions = {}): ResolvedImageDecodeLimits {
  const maxInputPixels = opts.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  if (!Number.isSafeInteger(maxInputPixels) || maxInputPixels <= 0) {
    throw new LvrError('INVALID_ARGUMENT', `image decode: maxInputPixels must be a positive integer, got ${String(maxInputPixels)}`, {
      details: { field: 'maxInputPixels', value: maxInputPixels },
    });
  }
  const allowVector = opts.allowVector ?? false;
  if (typeof allowVector !== 'boolean') {
    throw new LvrError('INVALID_ARGUMENT', `image decode: allowVector must be a boolean, got ${String(allowVector)}`, {
      details: { field: 'allowVector', value: allowVector },
    });
  }
  return { maxInputPixels, allowVector };
}

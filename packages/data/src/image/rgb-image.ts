import { LvrError } from '@lvr/core';

/**
 * An 8-bit RGB image: interleaved `r, g, b, r, g, b, …`, row-major, no row padding, so
 * `data.length === width · height · 3` and pixel (x, y) channel c is `data[(y · width + x) · 3 + c]`.
 */
export interface RgbImage {
  /** Width in pixels (positive integer). */
  readonly width: number;
  /** Height in pixels (positive integer). */
  readonly height: number;
  /** `width · height · 3` bytes, RGB interleaved. */
  readonly data: Uint8Array;
  /** Where the pixels came from (file path or a caller-given name); used in error messages only. */
  readonly source?: string | undefined;
}

/** `"<source>: "` when the image has a source, else `""`; prefixes error messages. */
export function sourcePrefix(img: { readonly source?: string | undefined }): string {
  return img.source === undefined ? '' : `${img.source}: `;
}

/**
 * Throws unless `img` is a well-formed {@link RgbImage}: positive integer sizes (`INVALID_ARGUMENT`) and a
 * `Uint8Array` of exactly `width · height · 3` bytes (`SHAPE_MISMATCH`). Messages name `img.source`.
 *
 * @example
 * assertRgbImage({ width: 2, height: 1, data: new Uint8Array(6) }); // ok
 */
export function assertRgbImage(img: RgbImage): void {
  const at = sourcePrefix(img);
  for (const field of ['width', 'height'] as const) {
    const v = img[field];
    if (!Number.isInteger(v) || v <= 0) {
      throw new LvrError('INVALID_ARGUMENT', `${at}image ${field} must be a positive integer, got ${v}`, {
        details: { file: img.source, field, value: v },
      });
    }
  }
  if (!(img.data instanceof Uint8Array)) {
    throw new LvrError('INVALID_ARGUMENT', `${at}image data must be a Uint8Array`, {
      details: { file: img.source, field: 'data' },
    });
  }
  const expected = img.width * img.height * 3;
  if (img.data.length !== expected) {
    throw new LvrError(
      'SHAPE_MISMATCH',
      `${at}image data has ${img.data.length} bytes, expected ${img.width}·${img.height}·3 = ${expected}`,
      { details: { file: img.source, width: img.width, height: img.height, bytes: img.data.length } },
    );
  }
}

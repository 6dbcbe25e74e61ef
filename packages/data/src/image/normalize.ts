import type { RgbImage } from './rgb-image.js';
import { assertRgbImage } from './rgb-image.js';
import { resolvePreprocessOptions } from './preprocess-options.js';
import type { PreprocessOptions, ResolvedPreprocessOptions } from './preprocess-options.js';

/**
 * The 3 × 256 float32 values a byte maps to, channel-major: `lut[c · 256 + v]`. Computed with the same
 * rounding as HF `Qwen2VLImageProcessor` (numpy): `r = f32(v · rescaleFactor)` (computed in float64), then
 * `f32(f32(r − f32(mean[c])) / f32(std[c]))`, so results are bit-identical to the Python pipeline.
 *
 * @example
 * normalizationTable()[255]; // ≈ (1 − 0.48145466) / 0.26862954 ≈ 1.9303
 */
export function normalizationTable(opts: PreprocessOptions | ResolvedPreprocessOptions = {}): Float32Array {
  const o = resolvePreprocessOptions(opts);
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(o.mean[c] as number);
    const std = Math.fround(o.std[c] as number);
    for (let v = 0; v < 256; v++) {
      const r = Math.fround(v * o.rescaleFactor);
      lut[c * 256 + v] = Math.fround(Math.fround(r - mean) / std);
    }
  }
  return lut;
}

/**
 * Rescales and normalizes an RGB image into a planar float32 array of shape (3, H, W) — channel-major, the
 * layout {@link patchify} reads.
 *
 * @example
 * const chw = normalizeToChw(img); // chw[c * H * W + y * W + x]
 */
export function normalizeToChw(img: RgbImage, opts: PreprocessOptions | ResolvedPreprocessOptions = {}): Float32Array {
  assertRgbImage(img);
  const lut = normalizationTable(opts);
  const plane = img.width * img.height;
  const out = new Float32Array(3 * plane); // (3, H, W)
  const src = img.data;
  for (let i = 0, j = 0; i < plane; i++, j += 3) {
    out[i] = lut[src[j] as number] as number;
    out[plane + i] = lut[256 + (src[j + 1] as number)] as number;
    out[2 * plane + i] = lut[512 + (src[j + 2] as number)] as number;
  }
  return out;
}

import { LvrError } from '@lvr/core';
import { normalizationTable } from './normalize.js';
import { resolvePreprocessOptions } from './preprocess-options.js';
import type { PreprocessOptions, ResolvedPreprocessOptions } from './preprocess-options.js';
import type { RgbImage } from './rgb-image.js';
import { assertRgbImage } from './rgb-image.js';

const CHANNELS = 3;

function checkGrid(height: number, width: number, factor: number, what: string): void {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height <= 0 || width <= 0) {
    throw new LvrError('INVALID_ARGUMENT', `${what}: height and width must be positive integers, got ${height}×${width}`, {
      details: { height, width },
    });
  }
  if (height % factor !== 0 || width % factor !== 0) {
    throw new LvrError(
      'SHAPE_MISMATCH',
      `${what}: ${height}×${width} (H×W) is not a multiple of patchSize·mergeSize = ${factor} on both sides`,
      { details: { height, width, factor } },
    );
  }
}

/**
 * Cuts a normalized planar image of shape (3, H, W) into Qwen2.5-VL pixel rows.
 *
 * Layout (as `Qwen2VLImageProcessor`): the still image is repeated to T = `temporalPatchSize` frames, the
 * (T, C, H, W) array is viewed as (1, T, C, H/(M·P), M, P, W/(M·P), M, P) and permuted to
 * (1, H/(M·P), W/(M·P), M, M, C, T, P, P), then flattened to `rows = (H/P)·(W/P)` rows of
 * `rowWidth = C·T·P·P` values (P = `patchSize`, M = `mergeSize`). So rows go merge-block by merge-block in
 * raster order of the merged grid, the M² patches of a block are consecutive (raster order inside the
 * block), and a row holds channel-major, then frame, then the P×P pixels row-major.
 *
 * Pure JS, one output allocation, no per-pixel allocation.
 *
 * @throws LvrError `SHAPE_MISMATCH` when `chw.length ≠ 3·H·W` or a side is not a multiple of M·P.
 * @example
 * const rows = patchify(normalizeToChw(img), img.height, img.width); // (H/14·W/14) × 1176
 */
export function patchify(
  chw: Float32Array,
  height: number,
  width: number,
  opts: PreprocessOptions | ResolvedPreprocessOptions = {},
): Float32Array {
  const { patchSize: P, mergeSize: M, temporalPatchSize: T, factor } = resolvePreprocessOptions(opts);
  checkGrid(height, width, factor, 'patchify');
  const plane = height * width;
  if (chw.length !== CHANNELS * plane) {
    throw new LvrError('SHAPE_MISMATCH', `patchify: expected 3·${height}·${width} = ${CHANNELS * plane} values, got ${chw.length}`, {
      details: { height, width, length: chw.length },
    });
  }
  const PP = P * P;
  const blocksH = height / factor;
  const blocksW = width / factor;
  const out = new Float32Array(blocksH * blocksW * M * M * CHANNELS * T * PP); // (rows, C·T·P·P)
  let o = 0;
  for (let by = 0; by < blocksH; by++) {
    for (let bx = 0; bx < blocksW; bx++) {
      for (let my = 0; my < M; my++) {
        const y0 = (by * M + my) * P;
        for (let mx = 0; mx < M; mx++) {
          const x0 = (bx * M + mx) * P;
          for (let c = 0; c < CHANNELS; c++) {
            const frame0 = o; // (c, t = 0) slice of this row
            let src = c * plane + y0 * width + x0;
            for (let py = 0; py < P; py++, src += width) {
              for (let px = 0; px < P; px++) out[o++] = chw[src + px] as number;
            }
            for (let t = 1; t < T; t++, o += PP) out.copyWithin(o, frame0, frame0 + PP); // repeated frames
          }
        }
      }
    }
  }
  return out;
}

/**
 * Fused {@link normalizeToChw} + {@link patchify}: reads the interleaved bytes of an RGB image whose sides
 * are multiples of `patchSize · mergeSize` and writes normalized rows directly (same values, bit for bit,
 * without the (3, H, W) intermediate). This is what `preprocessImage` uses.
 *
 * @throws LvrError `SHAPE_MISMATCH` / `INVALID_ARGUMENT` for a malformed or off-grid image.
 * @example
 * const rows = patchifyRgb(await resizeBicubic(img, 448, 448)); // 1024 × 1176
 */
export function patchifyRgb(img: RgbImage, opts: PreprocessOptions | ResolvedPreprocessOptions = {}): Float32Array {
  const resolved = resolvePreprocessOptions(opts);
  const { patchSize: P, mergeSize: M, temporalPatchSize: T, factor } = resolved;
  assertRgbImage(img);
  const { width, height, data } = img;
  checkGrid(height, width, factor, 'patchifyRgb');
  const lut = normalizationTable(resolved);
  const PP = P * P;
  const blocksH = height / factor;
  const blocksW = width / factor;
  const stride = width * CHANNELS;
  const out = new Float32Array(blocksH * blocksW * M * M * CHANNELS * T * PP); // (rows, C·T·P·P)
  let o = 0;
  for (let by = 0; by < blocksH; by++) {
    for (let bx = 0; bx < blocksW; bx++) {
      for (let my = 0; my < M; my++) {
        const y0 = (by * M + my) * P;
        for (let mx = 0; mx < M; mx++) {
          const x0 = (bx * M + mx) * P;
          for (let c = 0; c < CHANNELS; c++) {
            const frame0 = o;
            const lutBase = c * 256;
            let src = y0 * stride + x0 * CHANNELS + c;
            for (let py = 0; py < P; py++, src += stride) {
              for (let px = 0, s = src; px < P; px++, s += CHANNELS) out[o++] = lut[lutBase + (data[s] as number)] as number;
            }
            for (let t = 1; t < T; t++, o += PP) out.copyWithin(o, frame0, frame0 + PP);
          }
        }
      }
    }
  }
  return out;
}

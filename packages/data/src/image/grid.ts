import { LvrError } from '@lvr/core';
import { resolvePreprocessOptions } from './preprocess-options.js';
import type { PreprocessOptions, ResolvedPreprocessOptions } from './preprocess-options.js';
import { smartResize } from './smart-resize.js';

/** Qwen2.5-VL `image_grid_thw`: the pre-merge patch grid (temporal, height, width). */
export interface GridThw {
  /** Temporal patches; 1 for a still image. */
  readonly t: number;
  /** Patch rows, `resizedHeight / patchSize`. */
  readonly h: number;
  /** Patch columns, `resizedWidth / patchSize`. */
  readonly w: number;
}

/** Everything about an image's token layout that follows from its size alone. */
export interface ImageGrid {
  /** Height after smart resize (the original height when `doResize` is false). */
  readonly resizedHeight: number;
  /** Width after smart resize (the original width when `doResize` is false). */
  readonly resizedWidth: number;
  /** Pre-merge patch grid. */
  readonly gridThw: GridThw;
  /** LLM image tokens, `t · h · w / mergeSize²` (= `<|image_pad|>` copies). */
  readonly numTokens: number;
  /** Pixel rows of `pixelValues`, `t · h · w`. */
  readonly rows: number;
  /** Values per row, `3 · temporalPatchSize · patchSize²`. */
  readonly rowWidth: number;
}

/**
 * The resized size, `gridThw`, token count and pixel-row shape an image of `height × width` pixels gets,
 * without touching pixels (for ROI mapping, dataset token budgets, sequence lengths).
 *
 * @throws LvrError `INVALID_ARGUMENT` from {@link smartResize}, or `SHAPE_MISMATCH` when `doResize` is false
 *   and a side is not a multiple of `patchSize · mergeSize`.
 * @example
 * const g = gridThwFor(750, 1000, { minPixels: 100352, maxPixels: 4014080 });
 * g.gridThw;   // { t: 1, h: 54, w: 72 }
 * g.numTokens; // 972
 */
export function gridThwFor(
  height: number,
  width: number,
  opts: PreprocessOptions | ResolvedPreprocessOptions = {},
): ImageGrid {
  const o = resolvePreprocessOptions(opts);
  let resizedHeight = height;
  let resizedWidth = width;
  if (o.doResize) {
    [resizedHeight, resizedWidth] = smartResize(height, width, {
      factor: o.factor,
      minPixels: o.minPixels,
      maxPixels: o.maxPixels,
    });
  } else {
    for (const [field, v] of [['height', height], ['width', width]] as const) {
      if (!Number.isInteger(v) || v <= 0) {
        throw new LvrError('INVALID_ARGUMENT', `image ${field} must be a positive integer, got ${v}`, {
          details: { field, value: v },
        });
      }
      if (v % o.factor !== 0) {
        throw new LvrError(
          'SHAPE_MISMATCH',
          `image ${field} ${v} is not a multiple of patchSize·mergeSize = ${o.factor} (doResize is false)`,
          { details: { field, value: v, factor: o.factor } },
        );
      }
    }
  }
  const t = 1; // one still frame, padded to temporalPatchSize frames → ceil(1 / T) = 1 temporal patch
  const h = resizedHeight / o.patchSize;
  const w = resizedWidth / o.patchSize;
  const rows = t * h * w;
  return Object.freeze({
    resizedHeight,
    resizedWidth,
    gridThw: Object.freeze({ t, h, w }),
    numTokens: rows / (o.mergeSize * o.mergeSize),
    rows,
    rowWidth: 3 * o.temporalPatchSize * o.patchSize * o.patchSize,
  });
}

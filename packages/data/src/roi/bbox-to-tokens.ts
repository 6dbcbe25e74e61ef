import { LvrError } from '@lvr/core';
import { assertBox, type NormalizedBox } from './box.js';
import { mergedGridOf, resolveRoiOptions, type PatchGrid, type RoiOptions } from './options.js';
import { manualRange, packedRange, rangeArea, type TokenRange } from './token-range.js';

/**
 * The merged-grid rectangle a box covers (see {@link TokenRange}), before it is turned into indices.
 * Validates the box, grid and options exactly like {@link bboxToTokenIndices}.
 *
 * @example
 * bboxToTokenRange([0.1, 0.2, 0.5, 0.6], { t: 1, h: 32, w: 32 }); // { tx0: 1, tx1: 8, ty0: 3, ty1: 10 }
 */
export function bboxToTokenRange(box: NormalizedBox, grid: PatchGrid, options: RoiOptions = {}): TokenRange {
  const opts = resolveRoiOptions(options);
  const merged = mergedGridOf(grid, opts);
  const b = assertBox(box);
  return opts.rule === 'packed' ? packedRange(b, grid, opts.mergeSize) : manualRange(b, merged);
}

/**
 * Maps a normalised box to the indices of the visual tokens it covers, i.e. row-major positions in that
 * image's merged (post-merger) token list — the LLM's `<|image_pad|>` run for the image, 0-based. These
 * are the tokens whose embeddings become the `<|lvr|>` inputs and LVR targets for the box.
 *
 * - `grid` is the PRE-merge patch grid `{t, h, w}` from `image_grid_thw`; the merged grid is
 *   (h / m) × (w / m) with m = `options.mergeSize` (default 2).
 * - `options.rule = 'packed'` (default) reproduces the released training data bit for bit (lvr-reference
 *   §2.4, §9 items 8–12); `'manual'` is the non-packed rule and always yields ≥ 1 token.
 * - Coordinates outside [0, 1] are clamped, never renormalised. NaN / ±Infinity, x0 > x1, y0 > y1, a box
 *   that is not 4 numbers, and a grid that is not positive integers (multiples of m) throw
 *   `LvrError('INVALID_ARGUMENT')`.
 * - Video grids (`t > 1`) need `options.frame`; the indices are then offset into that frame's slot.
 *
 * **Empty result.** The packed rule returns `[]` for a zero-area box lying on a merged-grid line (e.g.
 * `[0.5, 0.5, 0.5, 0.5]` on an even grid), exactly like the reference. Downstream an empty group expands to
 * `<|lvr_start|>` immediately followed by the end tokens (`<|lvr_latent_end|><|lvr_end|>` in the released
 * format), it contributes no `<|lvr|>` positions, and the LVR loss over an empty set of latent positions is
 * defined as 0 — never NaN (the model package implements that guard; the reference gives NaN, §8.2 item 5).
 * Use `rule: 'manual'` if every box must produce at least one token.
 *
 * @example
 * // 448×448 image → patch grid 32×32, merged 16×16 (worked example A):
 * bboxToTokenIndices([0.1, 0.2, 0.5, 0.6], { t: 1, h: 32, w: 32 });
 * // → [49..55, 65..71, 81..87, 97..103, 113..119, 129..135, 145..151] (49 indices)
 * bboxToTokenIndices([0.5, 0.5, 0.5, 0.5], { t: 1, h: 32, w: 32 });                     // → []
 * bboxToTokenIndices([0.5, 0.5, 0.5, 0.5], { t: 1, h: 32, w: 32 }, { rule: 'manual' }); // → [136]
 */
export function bboxToTokenIndices(box: NormalizedBox, grid: PatchGrid, options: RoiOptions = {}): number[] {
  const opts = resolveRoiOptions(options);
  const merged = mergedGridOf(grid, opts);
  const b = assertBox(box);
  const r = opts.rule === 'packed' ? packedRange(b, grid, opts.mergeSize) : manualRange(b, merged);
  const n = rangeArea(r);
  const out = new Array<number>(n);
  let k = 0;
  for (let yy = r.ty0; yy < r.ty1; yy++) {
    const rowBase = merged.offset + yy * merged.cols;
    for (let xx = r.tx0; xx < r.tx1; xx++) out[k++] = rowBase + xx;
  }
  return out;
}

/**
 * Number of tokens {@link bboxToTokenIndices} would return, without building the list (same validation).
 *
 * @example
 * roiTokenCount([0.382, 0.456, 0.718, 0.656], { t: 1, h: 116, w: 174 }); // 390
 */
export function roiTokenCount(box: NormalizedBox, grid: PatchGrid, options: RoiOptions = {}): number {
  return rangeArea(bboxToTokenRange(box, grid, options));
}

/**
 * One index list per box, in the given (JSON) order: the k-th `<lvr>` placeholder consumes the k-th group.
 * Errors name the offending box (`boxes[2][1] must be a finite number, got NaN`).
 *
 * @example
 * boxesToTokenGroups([[0.9, 0, 1, 0.05], [0, 0, 0.01, 0.01]], { t: 1, h: 34, w: 46 }); // [[20, 21, 22], [0]]
 */
export function boxesToTokenGroups(
  boxes: readonly NormalizedBox[],
  grid: PatchGrid,
  options: RoiOptions = {},
): number[][] {
  if (!Array.isArray(boxes)) {
    throw new LvrError('INVALID_ARGUMENT', `roi: boxes must be an array of [x0, y0, x1, y1], got ${typeof boxes}`);
  }
  const opts = resolveRoiOptions(options);
  mergedGridOf(grid, opts);
  return boxes.map((box, i) => bboxToTokenIndices(assertBox(box, `boxes[${i}]`), grid, opts));
}

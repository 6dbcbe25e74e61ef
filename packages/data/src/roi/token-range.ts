import type { NormalizedBox } from './box.js';
import type { MergedGrid, PatchGrid } from './options.js';

/**
 * Half-open rectangle of merged-grid cells covered by a box: columns tx0..tx1−1, rows ty0..ty1−1.
 * Empty when tx1 ≤ tx0 or ty1 ≤ ty0 (possible with the packed rule only).
 */
export interface TokenRange {
  readonly tx0: number;
  readonly tx1: number;
  readonly ty0: number;
  readonly ty1: number;
}

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/**
 * The packed-dataset rule (lvr-reference.md §2.4), generalised from merge size 2 to m:
 * the RAW coordinate times the PATCH grid size in IEEE double, floor (starts) / ceil (ends), clamp
 * (starts to [0, n−1], ends to [0, n]), then floor-div (starts) / ceil-div (ends) by m.
 * Zero-area boxes on a merged-grid line give an empty range; nothing forces a token.
 */
export function packedRange(box: NormalizedBox, grid: PatchGrid, m: number): TokenRange {
  const [x0, y0, x1, y1] = box;
  const gx0 = clamp(Math.floor(x0 * grid.w), 0, grid.w - 1);
  const gx1 = clamp(Math.ceil(x1 * grid.w), 0, grid.w);
  const gy0 = clamp(Math.floor(y0 * grid.h), 0, grid.h - 1);
  const gy1 = clamp(Math.ceil(y1 * grid.h), 0, grid.h);
  return {
    tx0: Math.floor(gx0 / m),
    tx1: Math.floor((gx1 + m - 1) / m),
    ty0: Math.floor(gy0 / m),
    ty1: Math.floor((gy1 + m - 1) / m),
  };
}

/**
 * The non-packed ("manual") rule on the merged grid Hm × Wm: coordinates clamped to [0, 1] (never
 * renormalised by pixel sizes, unlike the reference — §9 item 11), start = floor(c · n), end =
 * min(ceil(c · n), n); an empty side is widened to one cell, so the result always has ≥ 1 token.
 * Deviation needed for range safety: a start of n (coordinate exactly 1) is moved to n − 1 so the forced
 * cell stays inside the grid (the reference would index one past the end).
 */
export function manualRange(box: NormalizedBox, merged: MergedGrid): TokenRange {
  const [tx0, tx1] = manualSide(box[0], box[2], merged.cols);
  const [ty0, ty1] = manualSide(box[1], box[3], merged.rows);
  return { tx0, tx1, ty0, ty1 };
}

/** One axis of the manual rule on n merged cells: [start, end) with end > start, both inside [0, n]. */
function manualSide(c0: number, c1: number, n: number): [number, number] {
  const s = Math.min(Math.floor(clamp(c0, 0, 1) * n), n - 1);
  let e = Math.min(Math.ceil(clamp(c1, 0, 1) * n), n);
  if (e <= s) e = s + 1;
  return [s, e];
}

/** Number of cells in a range: (tx1 − tx0) · (ty1 − ty0), or 0 when empty. */
export function rangeArea(r: TokenRange): number {
  return Math.max(0, r.tx1 - r.tx0) * Math.max(0, r.ty1 - r.ty0);
}

import { LvrError } from '@lvr/core';

/**
 * A box `[x0, y0, x1, y1]` normalised to the ORIGINAL image (0 = left/top edge, 1 = right/bottom edge).
 * Coordinates outside [0, 1] are allowed by the ROI mapper (they are clamped, never renormalised).
 */
export type NormalizedBox = readonly [number, number, number, number];

/**
 * The most boxes one dataset record or benchmark annotation may hold. Real records have a handful; the
 * bound keeps a damaged file from building a sequence of hundreds of thousands of `<lvr>` spans.
 */
export const MAX_BOXES_PER_RECORD = 1024;

/**
 * Union of normalised boxes `[min x0, min y0, max x1, max y1]`, as a loop (no argument spreading, so any
 * number of boxes). No boxes → `INVALID_ARGUMENT`.
 *
 * @example
 * unionBox([[0, 0, 0.1, 0.1], [0.5, 0.2, 0.6, 0.3]]); // [0, 0, 0.6, 0.3]
 */
export function unionBox(boxes: readonly NormalizedBox[]): NormalizedBox {
  if (boxes.length === 0) throw new LvrError('INVALID_ARGUMENT', 'roi: the union of no boxes is undefined');
  let [x0, y0, x1, y1] = boxes[0]!;
  for (const b of boxes) {
    if (b[0] < x0) x0 = b[0];
    if (b[1] < y0) y0 = b[1];
    if (b[2] > x1) x1 = b[2];
    if (b[3] > y1) y1 = b[3];
  }
  return [x0, y0, x1, y1];
}

/** Short human description of a bad value for error messages ("NaN", "\"0.5\"", "an array of length 3"). */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  if (v === null) return 'null';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return `a value of type ${typeof v}`;
}

/**
 * Checks that `box` is a 4-number array of finite coordinates with x0 ≤ x1 and y0 ≤ y1 and returns it typed.
 * `label` names the box in the error (e.g. `"box"` or `"boxes[2]"`).
 * Throws `INVALID_ARGUMENT`.
 */
export function assertBox(box: unknown, label = 'box'): NormalizedBox {
  if (!Array.isArray(box) || box.length !== 4) {
    throw new LvrError('INVALID_ARGUMENT', `roi: ${label} must be [x0, y0, x1, y1], got ${describeValue(box)}`, {
      details: { field: label },
    });
  }
  for (let i = 0; i < 4; i++) {
    const v: unknown = box[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new LvrError('INVALID_ARGUMENT', `roi: ${label}[${i}] must be a finite number, got ${describeValue(v)}`, {
        details: { field: `${label}[${i}]` },
      });
    }
  }
  const [x0, y0, x1, y1] = box as [number, number, number, number];
  if (x0 > x1) {
    throw new LvrError('INVALID_ARGUMENT', `roi: ${label} has x0 = ${x0} > x1 = ${x1}`, { details: { field: label } });
  }
  if (y0 > y1) {
    throw new LvrError('INVALID_ARGUMENT', `roi: ${label} has y0 = ${y0} > y1 = ${y1}`, { details: { field: label } });
  }
  return box as unknown as NormalizedBox;
}

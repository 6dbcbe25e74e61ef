import { LvrError } from '@lvr/core';

/**
 * A box `[x0, y0, x1, y1]` normalised to the ORIGINAL image (0 = left/top edge, 1 = right/bottom edge).
 * Coordinates outside [0, 1] are allowed by the ROI mapper (they are clamped, never renormalised).
 */
export type NormalizedBox = readonly [number, number, number, number];

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

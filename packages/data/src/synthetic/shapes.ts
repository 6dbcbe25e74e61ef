import type { Shape } from './vocabulary.js';

/**
 * Geometry of the four shapes in continuous pixel coordinates (pixel `i` covers `[i, i + 1)`), as a
 * function of the object's centre `(cx, cy)` and its "radius" `r` (half of its nominal width):
 * - circle: the disc of radius r;
 * - square: the axis-aligned square of half-side 0.85·r (about the circle's area);
 * - triangle: pointing up, apex at (cx, cy − r), base from (cx − r, cy + 0.8·r) to (cx + r, cy + 0.8·r);
 * - cross: a "+" of two bars of half-length r and half-thickness 0.35·r.
 */

/** Half-side of a square of radius r. */
const SQUARE_HALF = 0.85;
/** Base line of the triangle, below the centre, as a fraction of r. */
const TRIANGLE_BASE = 0.8;
/** Half-thickness of the cross bars as a fraction of r. */
const CROSS_HALF_THICKNESS = 0.35;

/** Extent of a shape around its centre: `[left, top, right, bottom]` distances (all ≥ 0). */
export type ShapeExtent = readonly [number, number, number, number];

/**
 * How far a shape of radius `r` reaches left, up, right and down from its centre.
 *
 * @example
 * shapeExtent('triangle', 4); // [4, 4, 4, 3.2]
 */
export function shapeExtent(shape: Shape, r: number): ShapeExtent {
  switch (shape) {
    case 'circle':
    case 'cross':
      return [r, r, r, r];
    case 'square':
      return [SQUARE_HALF * r, SQUARE_HALF * r, SQUARE_HALF * r, SQUARE_HALF * r];
    case 'triangle':
      return [r, r, r, TRIANGLE_BASE * r];
  }
}

/**
 * True when the point `(dx, dy)` (relative to the centre, y down) lies inside a shape of radius `r`.
 *
 * @example
 * insideShape('circle', 3, 2, 2); // true (2² + 2² ≤ 3²)
 */
export function insideShape(shape: Shape, r: number, dx: number, dy: number): boolean {
  switch (shape) {
    case 'circle':
      return dx * dx + dy * dy <= r * r;
    case 'square':
      return Math.abs(dx) <= SQUARE_HALF * r && Math.abs(dy) <= SQUARE_HALF * r;
    case 'triangle': {
      const top = -r;
      const bottom = TRIANGLE_BASE * r;
      if (dy < top || dy > bottom) return false;
      // Half-width grows linearly from 0 at the apex to r at the base.
      return Math.abs(dx) <= (r * (dy - top)) / (bottom - top);
    }
    case 'cross': {
      const t = CROSS_HALF_THICKNESS * r;
      const ax = Math.abs(dx);
      const ay = Math.abs(dy);
      return (ax <= r && ay <= t) || (ay <= r && ax <= t);
    }
  }
}

import { LvrError, type Rng } from '@lvr/core';
import type { NormalizedBox } from '../roi/box.js';
import { makeSceneObject, type ObjectSpec, type Scene, type SceneObject } from './scene.js';
import { shapeExtent } from './shapes.js';

/**
 * Grid scenes: one object per cell of an `n × n` grid (the chase task's board, also mixed into stage-0 caption
 * pre-training so the base learns to see it). With the default 64-px image and `n = 4`, a cell is 16 px — exactly
 * one merged visual token of the miniature model (8-px patches, 2 × 2 merge) — so "the token of cell c" is
 * well defined, and a marked object's frame stays inside its cell.
 */
export interface GridOptions {
  /** Image side in pixels. Default 64. */
  imageSize?: number;
  /** Cells per axis. Default 4. */
  gridCells?: number;
  /** Radius range `[lo, hi]` in pixels. Default `[4.5, 5.5]` (≈ 9–11 px across, so a frame fits in a 16-px cell). */
  radius?: readonly [number, number];
  /** Largest shift of an object's centre from its cell centre, in pixels. Default 0.5. */
  jitter?: number;
}

/** {@link GridOptions} resolved (frozen). */
export type ResolvedGridOptions = Readonly<Required<GridOptions>>;

/**
 * Fills defaults and checks that an object of the largest radius, jittered and framed, fits its cell.
 *
 * @example
 * resolveGridOptions().gridCells; // 4
 */
export function resolveGridOptions(o: GridOptions = {}): ResolvedGridOptions {
  const imageSize = o.imageSize ?? 64;
  const gridCells = o.gridCells ?? 4;
  const radius = o.radius ?? [4.5, 5.5];
  const jitter = o.jitter ?? 0.5;
  const bad = (field: string, why: string): never => {
    throw new LvrError('CONFIG_INVALID', `synthetic grid: ${field} ${why}`, { details: { field } });
  };
  if (!Number.isInteger(imageSize) || imageSize < 8 || imageSize > 4096) bad('imageSize', `must be an integer in 8..4096, got ${o.imageSize}`);
  if (!Number.isInteger(gridCells) || gridCells < 1 || gridCells > 16) bad('gridCells', `must be an integer in 1..16, got ${o.gridCells}`);
  if (imageSize % gridCells !== 0) bad('gridCells', `must divide imageSize ${imageSize}, got ${gridCells}`);
  if (!Array.isArray(radius) || radius.length !== 2 || !radius.every((r) => Number.isFinite(r) && r > 0) || radius[0] > radius[1]) {
    bad('radius', `must be [lo, hi] with 0 < lo ≤ hi, got ${JSON.stringify(o.radius)}`);
  }
  if (!(Number.isFinite(jitter) && jitter >= 0)) bad('jitter', `must be a number ≥ 0, got ${o.jitter}`);
  const cell = imageSize / gridCells;
  // Widest shape extent is ≤ 1.0·radius on each side (shapes.ts); +1 px frame, +jitter, +1 px rounding.
  if (2 * (radius[1] + jitter + 2) > cell) bad('radius', `[${radius[0]}, ${radius[1]}] with jitter ${jitter} does not fit a ${cell}-px cell with its frame`);
  return Object.freeze({ imageSize, gridCells, radius: Object.freeze([radius[0], radius[1]]) as unknown as [number, number], jitter });
}

/** The normalised box of grid cell `index` (raster order: row-major, `index = row · n + col`). */
export function gridCellBox(index: number, gridCells: number): NormalizedBox {
  if (!Number.isInteger(index) || index < 0 || index >= gridCells * gridCells) {
    throw new LvrError('INVALID_ARGUMENT', `gridCellBox: cell ${index} outside a ${gridCells}×${gridCells} grid`);
  }
  const col = index % gridCells;
  const row = Math.floor(index / gridCells);
  return [col / gridCells, row / gridCells, (col + 1) / gridCells, (row + 1) / gridCells];
}

/**
 * Places `specs[i]` in cell `i` (raster order), centred with a small seeded jitter and a seeded radius.
 * `specs.length` must be `gridCells²`. Returns the scene with objects in cell order.
 *
 * @example
 * const scene = placeGridObjects(rng, sixteenSpecs, resolveGridOptions());
 * scene.objects[5]; // the object of cell (col 1, row 1)
 */
export function placeGridObjects(rng: Rng, specs: readonly ObjectSpec[], opts: GridOptions | ResolvedGridOptions = {}): Scene {
  const o = resolveGridOptions(opts);
  const n = o.gridCells;
  if (specs.length !== n * n) {
    throw new LvrError('INVALID_ARGUMENT', `placeGridObjects: need ${n * n} objects for a ${n}×${n} grid, got ${specs.length}`);
  }
  const cell = o.imageSize / n;
  const objects: SceneObject[] = specs.map((spec, i) => {
    const radius = rng.uniform(o.radius[0], o.radius[1]);
    const [l, t, r, b] = shapeExtent(spec.shape, radius);
    const cx = (i % n) * cell + cell / 2 + rng.uniform(-o.jitter, o.jitter) + (l - r) / 2;
    const cy = Math.floor(i / n) * cell + cell / 2 + rng.uniform(-o.jitter, o.jitter) + (t - b) / 2;
    return makeSceneObject(spec, cx, cy, radius, o.imageSize, o.imageSize);
  });
  return { width: o.imageSize, height: o.imageSize, objects, noiseSeed: rng.nextUint32() };
}

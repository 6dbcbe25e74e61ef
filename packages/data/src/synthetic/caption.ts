import { LvrError, type Rng } from '@lvr/core';
import type { RgbImage } from '../image/rgb-image.js';
import { renderScene, resolveRenderOptions, type RenderOptions, type ResolvedRenderOptions } from './render.js';
import { placeGridObjects, resolveGridOptions, type ResolvedGridOptions } from './grid-scene.js';
import { placeObjects, resolveSceneOptions, type ObjectSpec, type ResolvedSceneOptions, type Scene, type SceneObject, type SceneOptions } from './scene.js';
import { CAPTION_SEPARATOR, COLOUR_NAMES, MARKED_WORD, SHAPES, SIZE_CLASSES } from './vocabulary.js';

/** Knobs of stage-0 caption scenes (scene geometry and rendering knobs included). */
export interface CaptionOptions extends SceneOptions, RenderOptions {
  /** Fewest objects per scene. Default 3. */
  minObjects?: number;
  /** Most objects per scene. Default 10. */
  maxObjects?: number;
  /** Cells per axis of the coarse position grid (words `x0..`, `y0..`). Default 4. */
  gridCells?: number;
  /**
   * Probability that a scene is a grid scene instead (`placeGridObjects`: one large object per cell, colours from
   * all 8, one marked — the chase task's board). Default 0 (only free scenes).
   */
  gridProbability?: number;
  /** Probability that a free scene has one marked object (a 1-px frame; caption word `marked`). Default 0. */
  markProbability?: number;
}

/** {@link CaptionOptions} resolved once (pass it back in to skip re-validation in a training loop). */
export interface ResolvedCaptionOptions {
  readonly scene: ResolvedSceneOptions;
  readonly render: ResolvedRenderOptions;
  readonly minObjects: number;
  readonly maxObjects: number;
  readonly gridCells: number;
  readonly gridProbability: number;
  readonly markProbability: number;
  /** Grid-scene geometry (image size and `gridCells` of the caption). */
  readonly grid: ResolvedGridOptions;
}

/** One stage-0 pre-training example, rendered in memory. */
export interface CaptionExample {
  readonly image: RgbImage;
  /** `"<size> <colour> <shape> <xcell> <ycell>"` per object, raster order, joined by `" ; "`. */
  readonly caption: string;
  /** The objects in caption order. */
  readonly objects: readonly SceneObject[];
  readonly scene: Scene;
}

/**
 * Fills defaults and validates caption options.
 *
 * @example
 * resolveCaptionOptions({ maxObjects: 6 }).gridCells; // 4
 */
export function resolveCaptionOptions(opts: CaptionOptions | ResolvedCaptionOptions = {}): ResolvedCaptionOptions {
  if (isResolved(opts)) return opts;
  const minObjects = opts.minObjects ?? 3;
  const maxObjects = opts.maxObjects ?? 10;
  const gridCells = opts.gridCells ?? 4;
  if (!Number.isInteger(minObjects) || minObjects < 1 || !Number.isInteger(maxObjects) || maxObjects < minObjects) {
    throw new LvrError('CONFIG_INVALID', `synthetic: need integers 1 ≤ minObjects ≤ maxObjects, got ${minObjects} and ${maxObjects}`, {
      details: { field: 'minObjects' },
    });
  }
  if (!Number.isInteger(gridCells) || gridCells < 1 || gridCells > 16) {
    throw new LvrError('CONFIG_INVALID', `synthetic: gridCells must be an integer in 1..16, got ${opts.gridCells}`, {
      details: { field: 'gridCells' },
    });
  }
  const probability = (field: 'gridProbability' | 'markProbability'): number => {
    const p = opts[field] ?? 0;
    if (!(typeof p === 'number' && p >= 0 && p <= 1)) {
      throw new LvrError('CONFIG_INVALID', `synthetic: ${field} must be a number in [0, 1], got ${opts[field]}`, { details: { field } });
    }
    return p;
  };
  const scene = resolveSceneOptions(opts);
  const gridProbability = probability('gridProbability');
  return Object.freeze({
    scene,
    render: resolveRenderOptions(opts),
    minObjects,
    maxObjects,
    gridCells,
    gridProbability,
    markProbability: probability('markProbability'),
    grid: resolveGridOptions(gridProbability > 0 ? { imageSize: scene.imageSize, gridCells } : {}),
  });
}

function isResolved(o: CaptionOptions | ResolvedCaptionOptions): o is ResolvedCaptionOptions {
  return typeof (o as ResolvedCaptionOptions).scene === 'object' && typeof (o as ResolvedCaptionOptions).render === 'object';
}

/** Grid cell `[col, row]` of an object's centre on a `gridCells × gridCells` grid. */
export function objectCell(obj: SceneObject, width: number, height: number, gridCells: number): [number, number] {
  const col = Math.min(gridCells - 1, Math.floor((obj.cx / width) * gridCells));
  const row = Math.min(gridCells - 1, Math.floor((obj.cy / height) * gridCells));
  return [col, row];
}

/**
 * Caption of a scene: objects in raster order (by grid row, then grid column, then centre y, then x) as
 * `"<size> <colour> <shape> x<col> y<row>"` (`"<shape> marked x…"` for a marked object), joined by `" ; "`. Returns the caption and the sorted objects.
 *
 * @example
 * captionScene(scene, 4).caption; // "small red circle x0 y0 ; large blue cross x2 y1"
 */
export function captionScene(scene: Scene, gridCells: number): { caption: string; objects: SceneObject[] } {
  const keyed = scene.objects.map((o) => ({ o, cell: objectCell(o, scene.width, scene.height, gridCells) }));
  keyed.sort((a, b) => a.cell[1] - b.cell[1] || a.cell[0] - b.cell[0] || a.o.cy - b.o.cy || a.o.cx - b.o.cx);
  const caption = keyed
    .map(({ o, cell }) => `${o.size} ${o.colour} ${o.shape}${o.marked ? ` ${MARKED_WORD}` : ''} x${cell[0]} y${cell[1]}`)
    .join(` ${CAPTION_SEPARATOR} `);
  return { caption, objects: keyed.map((k) => k.o) };
}

/**
 * Draws a fresh random scene (between `minObjects` and `maxObjects` objects of random shape, colour and
 * size), renders it in memory and captions it — the stage-0 pre-training task that teaches the miniature
 * VLM to see size, colour, shape and coarse position. Deterministic given the `rng` state.
 *
 * @example
 * const rng = new Rng(0);
 * const opts = resolveCaptionOptions();          // resolve once, reuse every step
 * const { image, caption } = generateCaptionExample(rng, opts);
 * // caption: "large cyan square x1 y0 ; small red triangle x3 y0 ; ..."
 */
export function generateCaptionExample(rng: Rng, opts: CaptionOptions | ResolvedCaptionOptions = {}): CaptionExample {
  const o = resolveCaptionOptions(opts);
  // Probabilities of 0 draw nothing, so the default stream of scenes is unchanged.
  const scene = o.gridProbability > 0 && rng.next() < o.gridProbability ? gridCaptionScene(rng, o) : freeCaptionScene(rng, o);
  const { caption, objects } = captionScene(scene, o.gridCells);
  return { image: renderScene(scene, o.render), caption, objects, scene };
}

function freeCaptionScene(rng: Rng, o: ResolvedCaptionOptions): Scene {
  const n = rng.intBetween(o.minObjects, o.maxObjects);
  const marked = o.markProbability > 0 && rng.next() < o.markProbability ? rng.int(n) : -1;
  const specs: ObjectSpec[] = [];
  for (let i = 0; i < n; i++) {
    specs.push({ shape: rng.pick(SHAPES), colour: rng.pick(COLOUR_NAMES), size: rng.pick(SIZE_CLASSES), ...(i === marked ? { marked: true } : {}) });
  }
  return placeObjects(rng, specs, o.scene);
}

/** A grid scene: one large object per cell (random shape, colour from all 8), exactly one marked. */
function gridCaptionScene(rng: Rng, o: ResolvedCaptionOptions): Scene {
  const cells = o.grid.gridCells * o.grid.gridCells;
  const marked = rng.int(cells);
  const specs: ObjectSpec[] = [];
  for (let i = 0; i < cells; i++) {
    specs.push({ shape: rng.pick(SHAPES), colour: rng.pick(COLOUR_NAMES), size: 'large', ...(i === marked ? { marked: true } : {}) });
  }
  return placeGridObjects(rng, specs, o.grid);
}

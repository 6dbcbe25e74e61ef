import { LvrError, type Rng } from '@lvr/core';
import type { NormalizedBox } from '../roi/box.js';
import { shapeExtent } from './shapes.js';
import type { ColourName, Shape, SizeClass } from './vocabulary.js';

/** What an object is, before it is placed: shape, colour and size class. */
export interface ObjectSpec {
  readonly shape: Shape;
  readonly colour: ColourName;
  readonly size: SizeClass;
  /** Drawn with a light frame around it (the chase task's start marker; caption word `marked`). */
  readonly marked?: boolean | undefined;
}

/** A placed object. Pixel coordinates are continuous: pixel `i` covers `[i, i + 1)`. */
export interface SceneObject extends ObjectSpec {
  /** Centre x in pixels. */
  readonly cx: number;
  /** Centre y in pixels. */
  readonly cy: number;
  /** Half of the object's nominal width in pixels (see `shapes.ts`). */
  readonly radius: number;
  /** Tight pixel bounding box `[x0, y0, x1, y1)` (integers, end exclusive) of the pixels the shape touches. */
  readonly pixelBox: readonly [number, number, number, number];
  /** `pixelBox` divided by the image width / height: the ROI box in the LVR format. */
  readonly box: NormalizedBox;
}

/** A synthetic image before rendering. Rendering is a pure function of the scene (see `renderScene`). */
export interface Scene {
  readonly width: number;
  readonly height: number;
  readonly objects: readonly SceneObject[];
  /** Seed of the background noise; the two images of a pair share it so only the changed detail differs. */
  readonly noiseSeed: number;
}

/** Geometry knobs of scene generation. */
export interface SceneOptions {
  /** Width and height of the (square) image in pixels. Default 64 (16 visual tokens at patch 8, merge 2). */
  imageSize?: number;
  /** Radius range `[lo, hi]` in pixels of small objects. Default `[2.5, 3.5]` (about 6 px across). */
  smallRadius?: readonly [number, number];
  /** Radius range `[lo, hi]` in pixels of large objects. Default `[5, 7]` (about 12 px across). */
  largeRadius?: readonly [number, number];
  /** Minimum empty pixels between two objects' pixel boxes. Default 1. */
  gap?: number;
  /** Minimum empty pixels between an object and the image border. Default 1. */
  margin?: number;
  /** Random positions tried per object before the whole scene is restarted. Default 100. */
  maxTriesPerObject?: number;
  /** Whole-scene restarts before giving up with `CONFIG_INVALID` (never a hang). Default 40. */
  maxRestarts?: number;
}

/** {@link SceneOptions} with every default filled in (frozen). */
export type ResolvedSceneOptions = Readonly<Required<SceneOptions>>;

function range(name: string, v: readonly [number, number] | undefined, dflt: [number, number]): [number, number] {
  const r = v ?? dflt;
  if (!Array.isArray(r) || r.length !== 2 || !r.every((x) => Number.isFinite(x) && x > 0) || r[0] > r[1]) {
    throw new LvrError('CONFIG_INVALID', `synthetic: ${name} must be [lo, hi] with 0 < lo ≤ hi, got ${JSON.stringify(v)}`, {
      details: { field: name },
    });
  }
  return [r[0], r[1]];
}

function positiveInt(name: string, v: number | undefined, dflt: number, min = 1): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < min) {
    throw new LvrError('CONFIG_INVALID', `synthetic: ${name} must be an integer ≥ ${min}, got ${v}`, { details: { field: name } });
  }
  return x;
}

/**
 * Fills defaults, validates and freezes scene options.
 *
 * @example
 * resolveSceneOptions({ imageSize: 96 }).smallRadius; // [2.5, 3.5]
 */
export function resolveSceneOptions(opts: SceneOptions = {}): ResolvedSceneOptions {
  const imageSize = positiveInt('imageSize', opts.imageSize, 64, 8);
  if (imageSize > 4096) {
    throw new LvrError('CONFIG_INVALID', `synthetic: imageSize must be ≤ 4096, got ${imageSize}`, { details: { field: 'imageSize' } });
  }
  const smallRadius = range('smallRadius', opts.smallRadius, [2.5, 3.5]);
  const largeRadius = range('largeRadius', opts.largeRadius, [5, 7]);
  if (smallRadius[1] >= largeRadius[0]) {
    throw new LvrError(
      'CONFIG_INVALID',
      `synthetic: small objects must be smaller than large ones (smallRadius[1] = ${smallRadius[1]} ≥ largeRadius[0] = ${largeRadius[0]})`,
      { details: { field: 'smallRadius' } },
    );
  }
  const gap = positiveInt('gap', opts.gap, 1, 0);
  const margin = positiveInt('margin', opts.margin, 1, 0);
  if (2 * largeRadius[1] + 2 * margin > imageSize) {
    throw new LvrError(
      'CONFIG_INVALID',
      `synthetic: a large object (largeRadius up to ${largeRadius[1]} px) does not fit an image of imageSize ${imageSize} px`,
      { details: { field: 'largeRadius' } },
    );
  }
  return Object.freeze({
    imageSize,
    smallRadius: Object.freeze(smallRadius) as unknown as [number, number],
    largeRadius: Object.freeze(largeRadius) as unknown as [number, number],
    gap,
    margin,
    maxTriesPerObject: positiveInt('maxTriesPerObject', opts.maxTriesPerObject, 100),
    maxRestarts: positiveInt('maxRestarts', opts.maxRestarts, 40),
  });
}

/**
 * Builds a placed object from its spec, centre and radius (computes the tight pixel box and its
 * normalised form).
 */
export function makeSceneObject(spec: ObjectSpec, cx: number, cy: number, radius: number, width: number, height: number): SceneObject {
  const [l, t, r, b] = shapeExtent(spec.shape, radius);
  const x0 = Math.max(0, Math.floor(cx - l));
  const y0 = Math.max(0, Math.floor(cy - t));
  const x1 = Math.min(width, Math.ceil(cx + r));
  const y1 = Math.min(height, Math.ceil(cy + b));
  return {
    shape: spec.shape,
    colour: spec.colour,
    size: spec.size,
    ...(spec.marked ? { marked: true } : {}),
    cx,
    cy,
    radius,
    pixelBox: [x0, y0, x1, y1],
    box: [x0 / width, y0 / height, x1 / width, y1 / height],
  };
}

/** True when two pixel boxes are closer than `gap` pixels (or overlap). */
export function boxesTooClose(a: readonly number[], b: readonly number[], gap: number): boolean {
  const [ax0, ay0, ax1, ay1] = a as [number, number, number, number];
  const [bx0, by0, bx1, by1] = b as [number, number, number, number];
  return ax0 < bx1 + gap && bx0 < ax1 + gap && ay0 < by1 + gap && by0 < ay1 + gap;
}

/** Draws a radius for a size class. */
function drawRadius(rng: Rng, size: SizeClass, o: ResolvedSceneOptions): number {
  const [lo, hi] = size === 'small' ? o.smallRadius : o.largeRadius;
  return rng.uniform(lo, hi);
}

/**
 * Tries up to `maxTriesPerObject` random positions for one object of the given radius; returns the first
 * that keeps `gap` pixels from every object of `others` and the border margin, or `undefined`.
 */
export function tryPlaceObject(
  rng: Rng,
  spec: ObjectSpec,
  radius: number,
  others: readonly SceneObject[],
  o: ResolvedSceneOptions,
  accept: (candidate: SceneObject) => boolean = () => true,
): SceneObject | undefined {
  const size = o.imageSize;
  const [l, t, r, b] = shapeExtent(spec.shape, radius);
  for (let i = 0; i < o.maxTriesPerObject; i++) {
    const cx = rng.uniform(o.margin + l, size - o.margin - r);
    const cy = rng.uniform(o.margin + t, size - o.margin - b);
    const cand = makeSceneObject(spec, cx, cy, radius, size, size);
    if (others.some((p) => boxesTooClose(p.pixelBox, cand.pixelBox, o.gap))) continue;
    if (accept(cand)) return cand;
  }
  return undefined;
}

/**
 * Places the objects of `specs` at random non-overlapping positions (rejection sampling, largest objects
 * first) and returns the scene with the objects in `specs` order. `accept` can reject a complete
 * placement (e.g. "the two referenced objects must be well separated"); it is retried within the same
 * bounded budget. When no placement is found after `maxRestarts` restarts, throws `CONFIG_INVALID`
 * naming the knobs to change — never hangs.
 *
 * @example
 * const scene = placeObjects(new Rng(1), [{ shape: 'circle', colour: 'red', size: 'small' }], resolveSceneOptions());
 * scene.objects[0].box; // e.g. [0.53, 0.2, 0.63, 0.3]
 */
export function placeObjects(
  rng: Rng,
  specs: readonly ObjectSpec[],
  o: ResolvedSceneOptions,
  accept: (objects: readonly SceneObject[]) => boolean = () => true,
): Scene {
  const order = specs.map((_, i) => i).sort((a, b) => sizeRank(specs[b]!) - sizeRank(specs[a]!) || a - b);
  for (let attempt = 0; attempt < o.maxRestarts; attempt++) {
    const placed: SceneObject[] = new Array<SceneObject>(specs.length);
    const others: SceneObject[] = [];
    let ok = true;
    for (const i of order) {
      const spec = specs[i]!;
      const obj = tryPlaceObject(rng, spec, drawRadius(rng, spec.size, o), others, o);
      if (obj === undefined) {
        ok = false;
        break;
      }
      placed[i] = obj;
      others.push(obj);
    }
    if (ok && accept(placed)) {
      return { width: o.imageSize, height: o.imageSize, objects: placed, noiseSeed: rng.nextUint32() };
    }
  }
  throw new LvrError(
    'CONFIG_INVALID',
    `synthetic: could not place ${specs.length} non-overlapping objects in a ${o.imageSize}×${o.imageSize} image ` +
      `after ${o.maxRestarts} restarts; use fewer distractors, smaller objects or a larger imageSize`,
    { details: { objects: specs.length, imageSize: o.imageSize, maxRestarts: o.maxRestarts } },
  );
}

function sizeRank(s: ObjectSpec): number {
  return s.size === 'large' ? 1 : 0;
}

export { unionBox } from '../roi/box.js';

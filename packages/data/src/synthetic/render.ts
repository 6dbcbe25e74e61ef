import { LvrError, Rng } from '@lvr/core';
import type { RgbImage } from '../image/rgb-image.js';
import type { Scene } from './scene.js';
import { insideShape } from './shapes.js';
import { COLOURS } from './vocabulary.js';

/** RGB of the 1-px frame drawn around a marked object (distinct from every object colour and the background). */
export const MARK_COLOUR: readonly [number, number, number] = Object.freeze([150, 150, 150]) as unknown as readonly [number, number, number];

/** Rendering knobs. */
export interface RenderOptions {
  /** Standard deviation of the per-channel Gaussian noise, in 0..255 units. Default 5 (mild). 0 = none. */
  noise?: number;
  /** Samples per pixel along each axis for anti-aliasing (S² samples per pixel). Default 4. */
  supersample?: number;
  /** Background RGB. Default `[18, 20, 28]` (dark blue-grey). */
  background?: readonly [number, number, number];
}

/** {@link RenderOptions} with defaults filled in (frozen). */
export type ResolvedRenderOptions = Readonly<Required<RenderOptions>>;

/**
 * Fills defaults, validates and freezes rendering options.
 *
 * @example
 * resolveRenderOptions({ noise: 0 }).supersample; // 4
 */
export function resolveRenderOptions(opts: RenderOptions = {}): ResolvedRenderOptions {
  const noise = opts.noise ?? 5;
  if (!Number.isFinite(noise) || noise < 0 || noise > 128) {
    throw new LvrError('CONFIG_INVALID', `synthetic: noise must be in [0, 128], got ${opts.noise}`, { details: { field: 'noise' } });
  }
  const supersample = opts.supersample ?? 4;
  if (!Number.isInteger(supersample) || supersample < 1 || supersample > 16) {
    throw new LvrError('CONFIG_INVALID', `synthetic: supersample must be an integer in 1..16, got ${opts.supersample}`, {
      details: { field: 'supersample' },
    });
  }
  const background = opts.background ?? [18, 20, 28];
  if (background.length !== 3 || !background.every((c) => Number.isInteger(c) && c >= 0 && c <= 255)) {
    throw new LvrError('CONFIG_INVALID', `synthetic: background must be three integers in 0..255, got ${JSON.stringify(opts.background)}`, {
      details: { field: 'background' },
    });
  }
  return Object.freeze({ noise, supersample, background: Object.freeze([...background]) as unknown as [number, number, number] });
}

/**
 * Rasterises a scene into an 8-bit RGB image in pure JS (no fonts, no librsvg, bit-identical on every
 * machine): background colour, then each object anti-aliased by S×S supersampling (coverage-weighted
 * blend), then seeded Gaussian noise from `scene.noiseSeed` added to every channel, rounded and clamped.
 *
 * @example
 * const img = renderScene(scene, { noise: 0 });
 * img.data.length === scene.width * scene.height * 3; // true
 */
export function renderScene(scene: Scene, opts: RenderOptions = {}): RgbImage {
  const o = resolveRenderOptions(opts);
  const { width, height } = scene;
  const acc = new Float32Array(width * height * 3); // (H, W, 3) row-major
  const [br, bg, bb] = o.background;
  for (let i = 0; i < width * height; i++) {
    acc[i * 3] = br;
    acc[i * 3 + 1] = bg;
    acc[i * 3 + 2] = bb;
  }
  // Marked objects: a 1-px frame just outside the pixel box (clipped to the image), drawn before every object.
  for (const obj of scene.objects) {
    if (!obj.marked) continue;
    const [x0, y0, x1, y1] = obj.pixelBox;
    const fx0 = x0 - 1;
    const fy0 = y0 - 1;
    for (let py = Math.max(0, fy0); py <= Math.min(height - 1, y1); py++) {
      for (let px = Math.max(0, fx0); px <= Math.min(width - 1, x1); px++) {
        if (py !== fy0 && py !== y1 && px !== fx0 && px !== x1) continue;
        const k = (py * width + px) * 3;
        acc[k] = MARK_COLOUR[0];
        acc[k + 1] = MARK_COLOUR[1];
        acc[k + 2] = MARK_COLOUR[2];
      }
    }
  }
  const s = o.supersample;
  const perPixel = s * s;
  for (const obj of scene.objects) {
    const [cr, cg, cb] = COLOURS[obj.colour];
    const [x0, y0, x1, y1] = obj.pixelBox;
    for (let py = y0; py < y1; py++) {
      for (let px = x0; px < x1; px++) {
        let hits = 0;
        for (let sy = 0; sy < s; sy++) {
          const dy = py + (sy + 0.5) / s - obj.cy;
          for (let sx = 0; sx < s; sx++) {
            if (insideShape(obj.shape, obj.radius, px + (sx + 0.5) / s - obj.cx, dy)) hits++;
          }
        }
        if (hits === 0) continue;
        const c = hits / perPixel;
        const k = (py * width + px) * 3;
        acc[k] = acc[k]! * (1 - c) + cr * c;
        acc[k + 1] = acc[k + 1]! * (1 - c) + cg * c;
        acc[k + 2] = acc[k + 2]! * (1 - c) + cb * c;
      }
    }
  }
  const data = new Uint8Array(acc.length);
  const rng = o.noise > 0 ? new Rng(scene.noiseSeed) : undefined;
  for (let i = 0; i < acc.length; i++) {
    const v = rng ? acc[i]! + rng.normal() * o.noise : acc[i]!;
    data[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return { width, height, data };
}

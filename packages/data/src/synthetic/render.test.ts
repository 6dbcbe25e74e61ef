import { describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { renderScene, resolveRenderOptions } from './render.js';
import { makeSceneObject, placeObjects, resolveSceneOptions, type Scene } from './scene.js';
import { COLOURS, COLOUR_NAMES, SHAPES, SIZE_CLASSES } from './vocabulary.js';

const BG = [18, 20, 28];

function pixel(data: Uint8Array, width: number, x: number, y: number): number[] {
  const k = (y * width + x) * 3;
  return [data[k]!, data[k + 1]!, data[k + 2]!];
}

function randomScene(seed: number, n = 8): Scene {
  const rng = new Rng(seed);
  const specs = Array.from({ length: n }, () => ({ shape: rng.pick(SHAPES), colour: rng.pick(COLOUR_NAMES), size: rng.pick(SIZE_CLASSES) }));
  return placeObjects(rng, specs, resolveSceneOptions());
}

describe('renderScene', () => {
  it('draws every object inside its box, in its colour, and nothing outside the boxes', () => {
    for (let seed = 0; seed < 12; seed++) {
      const scene = randomScene(seed);
      const img = renderScene(scene, { noise: 0 });
      expect(img.data.length).toBe(64 * 64 * 3);
      const owner = new Int32Array(64 * 64).fill(-1);
      scene.objects.forEach((o, i) => {
        const [x0, y0, x1, y1] = o.pixelBox;
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) owner[y * 64 + x] = i;
      });
      const seen = scene.objects.map(() => [64, 64, -1, -1]);
      for (let y = 0; y < 64; y++) {
        for (let x = 0; x < 64; x++) {
          const p = pixel(img.data, 64, x, y);
          const i = owner[y * 64 + x]!;
          if (i < 0) {
            expect(p).toEqual(BG);
            continue;
          }
          if (p.some((v, c) => v !== BG[c])) {
            const s = seen[i]!;
            seen[i] = [Math.min(s[0]!, x), Math.min(s[1]!, y), Math.max(s[2]!, x + 1), Math.max(s[3]!, y + 1)];
          }
        }
      }
      scene.objects.forEach((o, i) => {
        // The box is tight: the drawn pixels reach within one pixel of every side.
        o.pixelBox.forEach((v, k) => expect(Math.abs(seen[i]![k]! - v)).toBeLessThanOrEqual(1));
        // The centre pixel has the object's colour.
        expect(pixel(img.data, 64, Math.floor(o.cx), Math.floor(o.cy))).toEqual([...COLOURS[o.colour]]);
      });
    }
  });

  it('anti-aliases edges (some pixels are strict blends of background and colour)', () => {
    const obj = makeSceneObject({ shape: 'circle', colour: 'white', size: 'large' }, 32.3, 31.7, 6, 64, 64);
    const img = renderScene({ width: 64, height: 64, objects: [obj], noiseSeed: 1 }, { noise: 0 });
    const values = new Set<number>();
    for (let i = 0; i < img.data.length; i += 3) values.add(img.data[i]!);
    expect([...values].some((v) => v > BG[0]! && v < 238)).toBe(true);
  });

  it('adds seeded noise: same scene → same bytes, other noise seed → other bytes, mean unchanged', () => {
    const scene = randomScene(3);
    const a = renderScene(scene);
    expect(renderScene(scene).data).toEqual(a.data);
    const b = renderScene({ ...scene, noiseSeed: scene.noiseSeed + 1 });
    expect(b.data).not.toEqual(a.data);
    const clean = renderScene(scene, { noise: 0 });
    let diff = 0;
    for (let i = 0; i < a.data.length; i++) diff += a.data[i]! - clean.data[i]!;
    expect(Math.abs(diff / a.data.length)).toBeLessThan(0.5);
  });

  it('validates its options', () => {
    expect(() => resolveRenderOptions({ noise: -1 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => resolveRenderOptions({ supersample: 0 })).toThrow(/supersample/);
    expect(() => resolveRenderOptions({ background: [0, 0, 300] })).toThrow(/background/);
  });
});

import { describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { captionScene } from './caption.js';
import { gridCellBox, placeGridObjects, resolveGridOptions } from './grid-scene.js';
import { MARK_COLOUR, renderScene } from './render.js';
import type { ObjectSpec } from './scene.js';
import { COLOUR_NAMES, SHAPES } from './vocabulary.js';

function specs(rng: Rng, marked: number): ObjectSpec[] {
  return Array.from({ length: 16 }, (_, i) => ({
    shape: rng.pick(SHAPES), colour: rng.pick(COLOUR_NAMES), size: 'large' as const, ...(i === marked ? { marked: true } : {}),
  }));
}

describe('grid scenes', () => {
  it('puts object i, with its frame, inside cell i', () => {
    for (let seed = 0; seed < 200; seed++) {
      const rng = new Rng(seed);
      const scene = placeGridObjects(rng, specs(rng, seed % 16));
      scene.objects.forEach((o, i) => {
        const [cx0, cy0, cx1, cy1] = gridCellBox(i, 4).map((v) => v * 64) as [number, number, number, number];
        const [x0, y0, x1, y1] = o.pixelBox;
        expect(x0 - 1).toBeGreaterThanOrEqual(cx0);
        expect(y0 - 1).toBeGreaterThanOrEqual(cy0);
        expect(x1 + 1).toBeLessThanOrEqual(cx1);
        expect(y1 + 1).toBeLessThanOrEqual(cy1);
      });
    }
  });

  it('draws the frame of the marked object only, and captions it', () => {
    const rng = new Rng(3);
    const scene = placeGridObjects(rng, specs(rng, 5));
    const img = renderScene(scene, { noise: 0 });
    const isMark = (px: number, py: number) => {
      const k = (py * 64 + px) * 3;
      return img.data[k] === MARK_COLOUR[0] && img.data[k + 1] === MARK_COLOUR[1] && img.data[k + 2] === MARK_COLOUR[2];
    };
    const framed = new Set<number>();
    for (let py = 0; py < 64; py++) for (let px = 0; px < 64; px++) if (isMark(px, py)) framed.add(Math.floor(py / 16) * 4 + Math.floor(px / 16));
    expect([...framed]).toEqual([5]);
    const { caption } = captionScene(scene, 4);
    expect(caption.match(/marked/g)).toHaveLength(1);
    expect(caption).toMatch(/(circle|square|triangle|cross) marked x1 y1/);
  });

  it('is deterministic per seed and rejects impossible settings', () => {
    const a = placeGridObjects(new Rng(9), specs(new Rng(1), 0));
    const b = placeGridObjects(new Rng(9), specs(new Rng(1), 0));
    expect(a).toEqual(b);
    expect(() => resolveGridOptions({ radius: [7, 8] })).toThrow(/does not fit/);
    expect(() => resolveGridOptions({ gridCells: 5 })).toThrow(/divide/);
    expect(() => placeGridObjects(new Rng(0), specs(new Rng(0), 0).slice(1))).toThrow(/need 16/);
  });
});

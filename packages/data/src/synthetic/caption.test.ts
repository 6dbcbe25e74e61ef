import { describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { captionScene, generateCaptionExample, objectCell, resolveCaptionOptions } from './caption.js';
import { makeSceneObject } from './scene.js';

const PART = /^(small|large) (red|green|blue|yellow|purple|orange|cyan|white) (circle|square|triangle|cross) x([0-3]) y([0-3])$/;

describe('generateCaptionExample', () => {
  it('captions every object in raster order of its grid cell', () => {
    const rng = new Rng(7);
    const o = resolveCaptionOptions();
    for (let i = 0; i < 40; i++) {
      const ex = generateCaptionExample(rng, o);
      expect(ex.image.data.length).toBe(64 * 64 * 3);
      const parts = ex.caption.split(' ; ');
      expect(parts.length).toBe(ex.objects.length);
      expect(parts.length).toBeGreaterThanOrEqual(3);
      expect(parts.length).toBeLessThanOrEqual(10);
      let prev = -1;
      parts.forEach((p, j) => {
        const m = PART.exec(p);
        expect(m, p).not.toBeNull();
        const obj = ex.objects[j]!;
        expect([m![1], m![2], m![3]]).toEqual([obj.size, obj.colour, obj.shape]);
        const [col, row] = objectCell(obj, 64, 64, 4);
        expect([Number(m![4]), Number(m![5])]).toEqual([col, row]);
        const key = row * 4 + col;
        expect(key).toBeGreaterThanOrEqual(prev);
        prev = key;
      });
    }
  });

  it('is deterministic in the rng state and honours the object-count knobs', () => {
    const a = generateCaptionExample(new Rng(3), { minObjects: 2, maxObjects: 2 });
    const b = generateCaptionExample(new Rng(3), { minObjects: 2, maxObjects: 2 });
    expect(a.caption).toBe(b.caption);
    expect(a.image.data).toEqual(b.image.data);
    expect(a.objects).toHaveLength(2);
    expect(() => resolveCaptionOptions({ minObjects: 5, maxObjects: 3 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('orders objects in the same cell by position', () => {
    const s = (cx: number, cy: number) => makeSceneObject({ shape: 'cross', colour: 'red', size: 'small' }, cx, cy, 3, 64, 64);
    const scene = { width: 64, height: 64, noiseSeed: 0, objects: [s(40, 5), s(10, 12), s(5, 5)] };
    expect(captionScene(scene, 4).caption).toBe('small red cross x0 y0 ; small red cross x0 y0 ; small red cross x2 y0');
    expect(captionScene(scene, 4).objects.map((o) => o.cx)).toEqual([5, 10, 40]);
  });
});

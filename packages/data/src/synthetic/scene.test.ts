import { describe, expect, it } from 'vitest';
import { Rng, isLvrError } from '@lvr/core';
import { boxesTooClose, placeObjects, resolveSceneOptions, unionBox, type ObjectSpec } from './scene.js';
import { COLOUR_NAMES, SHAPES, SIZE_CLASSES } from './vocabulary.js';

function randomSpecs(rng: Rng, n: number): ObjectSpec[] {
  return Array.from({ length: n }, () => ({ shape: rng.pick(SHAPES), colour: rng.pick(COLOUR_NAMES), size: rng.pick(SIZE_CLASSES) }));
}

describe('resolveSceneOptions', () => {
  it('fills the documented defaults', () => {
    const o = resolveSceneOptions();
    expect(o).toMatchObject({ imageSize: 64, smallRadius: [2.5, 3.5], largeRadius: [5, 7], gap: 1, margin: 1 });
    expect(Object.isFrozen(o)).toBe(true);
  });

  it.each([
    [{ imageSize: 4 }, 'imageSize'],
    [{ imageSize: 64.5 }, 'imageSize'],
    [{ smallRadius: [3, 2] as [number, number] }, 'smallRadius'],
    [{ smallRadius: [2, Number.NaN] as [number, number] }, 'smallRadius'],
    [{ smallRadius: [2, 6] as [number, number] }, 'smallRadius'], // overlaps the large range
    [{ imageSize: 12 }, 'largeRadius'], // a large object cannot fit
  ])('rejects %j with CONFIG_INVALID naming %s', (opts, field) => {
    try {
      resolveSceneOptions(opts);
      expect.unreachable();
    } catch (e) {
      expect(isLvrError(e) && e.code).toBe('CONFIG_INVALID');
      expect((e as Error).message).toContain(field);
    }
  });
});

describe('placeObjects', () => {
  const o = resolveSceneOptions();

  it('places objects inside the image, apart, in spec order, with boxes matching pixel boxes', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 50; trial++) {
      const specs = randomSpecs(rng, 9);
      const scene = placeObjects(rng, specs, o);
      expect(scene.objects.map((x) => [x.shape, x.colour, x.size])).toEqual(specs.map((s) => [s.shape, s.colour, s.size]));
      scene.objects.forEach((a, i) => {
        const [x0, y0, x1, y1] = a.pixelBox;
        expect(x0).toBeGreaterThanOrEqual(o.margin);
        expect(y0).toBeGreaterThanOrEqual(o.margin);
        expect(x1).toBeLessThanOrEqual(64 - o.margin);
        expect(y1).toBeLessThanOrEqual(64 - o.margin);
        expect(a.box).toEqual([x0 / 64, y0 / 64, x1 / 64, y1 / 64]);
        const [lo, hi] = a.size === 'small' ? o.smallRadius : o.largeRadius;
        expect(a.radius).toBeGreaterThanOrEqual(lo);
        expect(a.radius).toBeLessThan(hi);
        scene.objects.slice(i + 1).forEach((b) => expect(boxesTooClose(a.pixelBox, b.pixelBox, o.gap)).toBe(false));
      });
    }
  });

  it('is a pure function of the rng state', () => {
    const specs = randomSpecs(new Rng(1), 8);
    expect(placeObjects(new Rng(5), specs, o)).toEqual(placeObjects(new Rng(5), specs, o));
    expect(placeObjects(new Rng(5), specs, o)).not.toEqual(placeObjects(new Rng(6), specs, o));
  });

  it('honours the accept predicate', () => {
    const specs = randomSpecs(new Rng(2), 2);
    const scene = placeObjects(new Rng(3), specs, o, (objs) => objs[0]!.cx < 20 && objs[1]!.cx > 44);
    expect(scene.objects[0]!.cx).toBeLessThan(20);
    expect(scene.objects[1]!.cx).toBeGreaterThan(44);
  });

  it('gives up with CONFIG_INVALID instead of hanging when the objects cannot fit', () => {
    const specs: ObjectSpec[] = Array.from({ length: 60 }, () => ({ shape: 'square', colour: 'red', size: 'large' }));
    const t0 = Date.now();
    expect(() => placeObjects(new Rng(0), specs, resolveSceneOptions({ maxRestarts: 5 }))).toThrow(/could not place 60/);
    expect(() => placeObjects(new Rng(0), specs.slice(0, 2), o, () => false)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('unionBox / boxesTooClose', () => {
  it('unions boxes and rejects an empty list', () => {
    expect(unionBox([[0.1, 0.2, 0.3, 0.4], [0.0, 0.5, 0.2, 0.6]])).toEqual([0, 0.2, 0.3, 0.6]);
    expect(() => unionBox([])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('treats boxes closer than the gap as too close', () => {
    expect(boxesTooClose([0, 0, 5, 5], [5, 0, 8, 5], 0)).toBe(false); // touching edges, end-exclusive
    expect(boxesTooClose([0, 0, 5, 5], [5, 0, 8, 5], 1)).toBe(true);
    expect(boxesTooClose([0, 0, 5, 5], [6, 0, 8, 5], 1)).toBe(false);
  });
});

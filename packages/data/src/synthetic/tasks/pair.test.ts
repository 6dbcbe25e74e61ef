import { describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { renderScene } from '../render.js';
import { pairTask } from './pair.js';
import { resolveTaskOptions } from './task-options.js';

/** Pixel boxes (as [x0, y0, x1, y1) in pixels) that contain every pixel where two renders differ. */
function diffInside(a: Uint8Array, b: Uint8Array, size: number, boxes: (readonly number[])[]): boolean {
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const k = (y * size + x) * 3;
      if (a[k] === b[k] && a[k + 1] === b[k + 1] && a[k + 2] === b[k + 2]) continue;
      if (!boxes.some(([x0, y0, x1, y1]) => x >= x0! && x < x1! && y >= y0! && y < y1!)) return false;
    }
  }
  return true;
}

describe('pairTask', () => {
  it('colour pairs: same question, options and noise; only the target changes colour', () => {
    const o = resolveTaskOptions({ pairVariants: ['colour'] });
    for (let i = 0; i < 20; i++) {
      const [a, b] = pairTask.draw(new Rng(i), o);
      expect(a!.question).toBe(b!.question);
      expect(a!.options).toEqual(b!.options);
      expect(a!.options).toHaveLength(2);
      expect(a!.answerIndex).not.toBe(b!.answerIndex);
      expect(a!.scene.noiseSeed).toBe(b!.scene.noiseSeed);
      expect(a!.category).toBe('pair_colour');
      const changed = a!.scene.objects.map((x, j) => (x.colour !== b!.scene.objects[j]!.colour ? j : -1)).filter((j) => j >= 0);
      expect(changed).toHaveLength(1);
      const t = a!.scene.objects[changed[0]!]!;
      expect(a!.roi).toEqual(t.box);
      expect(b!.roi).toEqual(t.box);
      expect(a!.options[a!.answerIndex]).toBe(t.colour);
      expect(b!.options[b!.answerIndex]).toBe(b!.scene.objects[changed[0]!]!.colour);
      const ra = renderScene(a!.scene).data;
      const rb = renderScene(b!.scene).data;
      expect(ra).not.toEqual(rb);
      expect(diffInside(ra, rb, 64, [t.pixelBox])).toBe(true);
    }
  });

  it('position pairs: the asked-about object moves to the other side; nothing else changes', () => {
    const o = resolveTaskOptions({ pairVariants: ['position'] });
    for (let i = 0; i < 20; i++) {
      const [a, b] = pairTask.draw(new Rng(i), o);
      expect(a!.question).toBe(b!.question);
      expect(a!.options).toEqual(b!.options);
      expect(a!.answerIndex).toBe(1 - b!.answerIndex);
      expect(a!.category).toBe('pair_position');
      const moved = a!.scene.objects.map((x, j) => (x.cx !== b!.scene.objects[j]!.cx || x.cy !== b!.scene.objects[j]!.cy ? j : -1)).filter((j) => j >= 0);
      expect(moved).toHaveLength(1);
      const before = a!.scene.objects[moved[0]!]!;
      const after = b!.scene.objects[moved[0]!]!;
      expect([after.shape, after.colour, after.radius]).toEqual([before.shape, before.colour, before.radius]);
      expect(a!.question).toContain(`is the ${before.colour} ${before.shape} `);
      const ra = renderScene(a!.scene).data;
      const rb = renderScene(b!.scene).data;
      expect(diffInside(ra, rb, 64, [before.pixelBox, after.pixelBox])).toBe(true);
    }
  });

  it('fails with CONFIG_INVALID when a position pair cannot be built', () => {
    const o = resolveTaskOptions({ pairVariants: ['position'], minSeparation: 0.85, maxRestarts: 3 });
    expect(() => pairTask.draw(new Rng(0), o)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

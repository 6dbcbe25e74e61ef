import { describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { positionTask } from './position.js';
import { resolveTaskOptions } from './task-options.js';

const RE = /^is the (\w+) (\w+) (left or right of|above or below) the (\w+) (\w+) \?$/;

describe('positionTask', () => {
  const o = resolveTaskOptions();

  it('answers from the centres of two uniquely named, well separated objects', () => {
    const axes = new Set<string>();
    for (let i = 0; i < 80; i++) {
      const [item] = positionTask.draw(new Rng(i), o);
      const m = RE.exec(item!.question);
      expect(m, item!.question).not.toBeNull();
      const [, ca, sa, rel, cb, sb] = m!;
      const find = (c: string, s: string) => item!.scene.objects.filter((x) => x.colour === c && x.shape === s);
      expect(find(ca!, sa!)).toHaveLength(1);
      expect(find(cb!, sb!)).toHaveLength(1);
      const a = find(ca!, sa!)[0]!;
      const b = find(cb!, sb!)[0]!;
      const horizontal = rel!.startsWith('left');
      axes.add(rel!);
      const d = horizontal ? a.cx - b.cx : a.cy - b.cy;
      expect(Math.abs(d)).toBeGreaterThanOrEqual(0.12 * 64);
      expect(item!.options).toEqual(horizontal ? ['left', 'right'] : ['above', 'below']);
      expect(item!.options[item!.answerIndex]).toBe(horizontal ? (d < 0 ? 'left' : 'right') : d < 0 ? 'above' : 'below');
      expect(item!.roi).toEqual([
        Math.min(a.box[0], b.box[0]), Math.min(a.box[1], b.box[1]), Math.max(a.box[2], b.box[2]), Math.max(a.box[3], b.box[3]),
      ]);
      expect(item!.scene.objects).toHaveLength(6);
    }
    expect(axes.size).toBe(2);
  });

  it('restricts axes on request', () => {
    const h = resolveTaskOptions({ positionAxes: ['vertical'] });
    for (let i = 0; i < 10; i++) expect(positionTask.draw(new Rng(i), h)[0]!.question).toContain('above or below');
  });
});

import { describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { NUMBER_WORDS, SHAPE_PLURALS } from '../vocabulary.js';
import { countTask, pickCountOptions } from './count.js';
import { resolveTaskOptions } from './task-options.js';

describe('countTask', () => {
  const o = resolveTaskOptions();

  it('counts the objects of the asked shape or colour', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 80; i++) {
      const [item] = countTask.draw(new Rng(i), o);
      const { scene, question, options, answerIndex, roi } = item!;
      const byShape = /^how many (\w+) are there \?$/.exec(question);
      const byColour = /^how many (\w+) objects are there \?$/.exec(question);
      const counted = byColour
        ? scene.objects.filter((x) => x.colour === byColour[1])
        : scene.objects.filter((x) => SHAPE_PLURALS[x.shape] === byShape![1]);
      const k = counted.length;
      seen.add(k);
      expect(k).toBeGreaterThanOrEqual(1);
      expect(k).toBeLessThanOrEqual(5);
      expect(options[answerIndex]).toBe(NUMBER_WORDS[k]);
      expect(options).toHaveLength(4);
      expect(options.map((w) => NUMBER_WORDS.indexOf(w as never))).toEqual(
        [...options.map((w) => NUMBER_WORDS.indexOf(w as never))].sort((a, b) => a - b),
      );
      expect(scene.objects).toHaveLength(k + 3);
      expect(roi).toEqual([
        Math.min(...counted.map((x) => x.box[0])), Math.min(...counted.map((x) => x.box[1])),
        Math.max(...counted.map((x) => x.box[2])), Math.max(...counted.map((x) => x.box[3])),
      ]);
    }
    expect(seen).toEqual(new Set([1, 2, 3, 4, 5]));
  });

  it('uses the whole image as ROI for a zero count', () => {
    const z = resolveTaskOptions({ countRange: [0, 1], countBy: ['shape'] });
    const items = Array.from({ length: 20 }, (_, i) => countTask.draw(new Rng(i), z)[0]!);
    const zero = items.find((it) => it.options[it.answerIndex] === 'zero');
    expect(zero!.roi).toEqual([0, 0, 1, 1]);
  });

  it('leaves out each wrong count equally often', () => {
    const rng = new Rng(9);
    const missing = new Map<number, number>();
    for (let i = 0; i < 4000; i++) {
      const opts = pickCountOptions(rng, 3, 1, 5, 4);
      expect(opts).toContain(3);
      const m = [1, 2, 4, 5].find((k) => !opts.includes(k))!;
      missing.set(m, (missing.get(m) ?? 0) + 1);
    }
    for (const n of missing.values()) expect(Math.abs(n - 1000)).toBeLessThan(120);
  });
});

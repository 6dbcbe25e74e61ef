import { describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { attributeTask, pickColourOptions } from './attribute.js';
import { resolveTaskOptions } from './task-options.js';

describe('attributeTask', () => {
  const o = resolveTaskOptions();

  it('asks the colour of the unique small (size, shape) object, with a binding distractor and 8 objects', () => {
    for (let i = 0; i < 60; i++) {
      const [item] = attributeTask.draw(new Rng(i), o);
      const { scene, question, options, answerIndex, roi, category } = item!;
      expect(scene.objects).toHaveLength(8);
      const m = /^what colour is the (small|large) (circle|square|triangle|cross) \?$/.exec(question);
      expect(m).not.toBeNull();
      const [, size, shape] = m!;
      expect(size).toBe('small');
      const matches = scene.objects.filter((x) => x.size === size && x.shape === shape);
      expect(matches).toHaveLength(1);
      const target = matches[0]!;
      expect(options[answerIndex]).toBe(target.colour);
      expect(roi).toEqual(target.box);
      expect(category).toBe('direct_attributes');
      // Binding distractor: same shape, other size, other colour.
      expect(scene.objects.some((x) => x.shape === shape && x.size !== size && x.colour !== target.colour)).toBe(true);
      // 4 distinct options; the wrong ones are colours of other objects whenever the scene has enough.
      expect(new Set(options).size).toBe(4);
      const otherColours = new Set<string>(scene.objects.filter((x) => x !== target).map((x) => x.colour));
      otherColours.delete(target.colour);
      const wrong = options.filter((c) => c !== target.colour);
      const presentWrong = wrong.filter((c) => otherColours.has(c)).length;
      expect(presentWrong).toBe(Math.min(3, otherColours.size));
    }
  });

  it('supports large or any-size targets and no binding distractor', () => {
    const large = resolveTaskOptions({ targetSize: 'large', bindingDistractor: false, distractors: 2 });
    const [item] = attributeTask.draw(new Rng(1), large);
    expect(item!.question).toMatch(/the large /);
    expect(item!.scene.objects).toHaveLength(3);
    const sizes = new Set(Array.from({ length: 40 }, (_, i) => attributeTask.draw(new Rng(i), resolveTaskOptions({ targetSize: 'any' }))[0]!.question.split(' ')[4]));
    expect(sizes).toEqual(new Set(['small', 'large']));
  });

  it('tops options up with absent colours when the scene has too few colours', () => {
    const rng = new Rng(4);
    const scene = attributeTask.draw(rng, resolveTaskOptions({ distractors: 0, bindingDistractor: false }))[0]!.scene;
    const opts = pickColourOptions(new Rng(1), scene, scene.objects[0]!.colour, 4);
    expect(new Set(opts).size).toBe(4);
    expect(opts).toContain(scene.objects[0]!.colour);
  });
});

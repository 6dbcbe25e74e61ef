import { describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { renderScene } from '../render.js';
import { COLOUR_NAMES } from '../vocabulary.js';
import { drawMajority, majorityTask, MAJORITY_QUESTION } from './majority.js';
import { resolveTaskOptions } from './task-options.js';

describe('drawMajority', () => {
  it('draws 10–16 large objects, one per occupied cell, with a unique majority among 4 colour options', () => {
    const answerSlots = [0, 0, 0, 0];
    const sizes = new Set<number>();
    for (let seed = 0; seed < 400; seed++) {
      const item = drawMajority(new Rng(seed));
      const objs = item.scene.objects;
      sizes.add(objs.length);
      expect(objs.length).toBeGreaterThanOrEqual(10);
      expect(objs.length).toBeLessThanOrEqual(16);
      expect(item.cells).toHaveLength(objs.length);
      expect(new Set(item.cells).size).toBe(objs.length);
      expect(item.options).toHaveLength(4);
      expect([...item.options]).toEqual(COLOUR_NAMES.filter((c) => item.options.includes(c)));
      objs.forEach((o, k) => {
        expect(o.size).toBe('large');
        expect(item.options).toContain(o.colour);
        const cell = item.cells[k]!;
        expect(Math.floor(o.cy / 16) * 4 + Math.floor(o.cx / 16)).toBe(cell);
      });
      const counts = item.options.map((c) => objs.filter((o) => o.colour === c).length);
      expect(counts).toEqual(item.counts);
      const top = Math.max(...counts);
      expect(counts.filter((c) => c === top)).toHaveLength(1);
      expect(item.answerWord).toBe(item.options[counts.indexOf(top)]);
      expect(item.options[item.answerIndex]).toBe(item.answerWord);
      expect(item.question).toBe(MAJORITY_QUESTION);
      expect(item.rois).toEqual(objs.filter((o) => o.colour === item.answerWord).map((o) => o.box));
      answerSlots[item.answerIndex]!++;
    }
    expect(sizes).toEqual(new Set([10, 11, 12, 13, 14, 15, 16]));
    for (const n of answerSlots) expect(n / 400).toBeGreaterThan(0.17);
  });

  it('is deterministic per Rng state (byte-identical rendering) and validates its range', () => {
    const a = drawMajority(new Rng(5), { objects: [12, 12] });
    expect(a).toEqual(drawMajority(new Rng(5), { objects: [12, 12] }));
    expect(a.scene.objects).toHaveLength(12);
    expect(Buffer.compare(Buffer.from(renderScene(a.scene).data), Buffer.from(renderScene(drawMajority(new Rng(5), { objects: [12, 12] }).scene).data))).toBe(0);
    expect(() => drawMajority(new Rng(0), { objects: [3, 8] })).toThrow(/objects/);
    expect(() => drawMajority(new Rng(0), { objects: [10, 17] })).toThrow(/objects/);
    expect(() => resolveTaskOptions({ majorityObjects: [12, 10] })).toThrow(/majorityObjects/);
  });

  it('is a task family with ordered rois and the suite knob', () => {
    const [item] = majorityTask.draw(new Rng(1), resolveTaskOptions({ majorityObjects: [16, 16] }));
    expect(item!.scene.objects).toHaveLength(16);
    expect(item!.category).toBe('majority_colour');
    expect(item!.rois!.length).toBeGreaterThanOrEqual(1);
    expect(majorityTask.openChance(resolveTaskOptions())).toBe(1 / 8);
  });
});

import { describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { boxesToTokenGroups } from '../../roi/bbox-to-tokens.js';
import { gridCellBox } from '../grid-scene.js';
import { renderScene } from '../render.js';
import { COLOUR_NAMES, DIRECTIONS, SHAPES } from '../vocabulary.js';
import { chaseQuestion, chaseStep, chaseTask, drawChase, followChain, DIRECTION_COLOURS } from './chase.js';
import { resolveTaskOptions } from './task-options.js';

describe('chaseStep / followChain', () => {
  it('moves one cell per arrow and wraps around the torus', () => {
    expect(chaseStep(5, 'up')).toBe(1);
    expect(chaseStep(5, 'down')).toBe(9);
    expect(chaseStep(5, 'left')).toBe(4);
    expect(chaseStep(5, 'right')).toBe(6);
    expect(chaseStep(1, 'up')).toBe(13);
    expect(chaseStep(14, 'down')).toBe(2);
    expect(chaseStep(8, 'left')).toBe(11);
    expect(chaseStep(11, 'right')).toBe(8);
    const dirs = Array.from({ length: 16 }, () => 'right' as const);
    expect(followChain(dirs, 2, 3)).toEqual([3, 0, 1]);
  });

  it('words the question by hop count, with an optional legend', () => {
    expect(chaseQuestion(1)).toBe('from the marked object follow one arrow . what shape ?');
    expect(chaseQuestion(3)).toBe('from the marked object follow three arrows . what shape ?');
    expect(chaseQuestion(2, [{ colour: 'cyan', direction: 'left' }, { colour: 'red', direction: 'up' }])).toBe(
      'legend : cyan left , red up . from the marked object follow two arrows . what shape ?',
    );
  });
});

describe('drawChase', () => {
  it('lays out every (direction, shape) pair once, marks the start, and follows the arrows with wrap-around', () => {
    const answers = new Map<string, number>();
    for (let seed = 0; seed < 300; seed++) {
      const hops = 1 + (seed % 4);
      const item = drawChase(new Rng(seed), { hops });
      const pairs = new Set(item.cells.map((c) => `${c.direction}/${c.shape}`));
      expect(pairs.size).toBe(16);
      expect(item.cells.filter((c) => c.marked).map((_, i) => i)).toHaveLength(1);
      expect(item.cells[item.start]!.marked).toBe(true);
      expect(item.markedCell).toBe(item.start);
      // Independent re-walk on (row, col) coordinates.
      let [r, c] = [Math.floor(item.start / 4), item.start % 4];
      const walked: number[] = [];
      for (let t = 0; t < hops; t++) {
        const d = item.cells[r * 4 + c]!.direction;
        if (d === 'up') r = (r + 3) % 4;
        if (d === 'down') r = (r + 1) % 4;
        if (d === 'left') c = (c + 3) % 4;
        if (d === 'right') c = (c + 1) % 4;
        walked.push(r * 4 + c);
      }
      expect(item.chain).toEqual(walked);
      expect(item.answerWord).toBe(item.cells[walked.at(-1)!]!.shape);
      expect(item.options).toEqual(SHAPES);
      expect(item.options[item.answerIndex]).toBe(item.answerWord);
      expect(item.rois).toEqual(walked.map((w) => gridCellBox(w, 4)));
      expect(item.question).toBe(chaseQuestion(hops));
      // Fixed colour map without a legend, symbols = dir·4 + shape.
      item.cells.forEach((cell, i) => {
        expect(cell.colour).toBe(DIRECTION_COLOURS[DIRECTIONS.indexOf(cell.direction)]);
        expect(item.symbols[i]).toBe(DIRECTIONS.indexOf(cell.direction) * 4 + SHAPES.indexOf(cell.shape));
        const obj = item.scene.objects[i]!;
        expect([obj.shape, obj.colour, obj.size, obj.marked === true]).toEqual([cell.shape, cell.colour, 'large', cell.marked]);
      });
      expect(new Set(item.symbols).size).toBe(16);
      answers.set(item.answerWord, (answers.get(item.answerWord) ?? 0) + 1);
    }
    for (const s of SHAPES) expect(answers.get(s)! / 300).toBeGreaterThan(0.17);
  });

  it('gives a counterfactual start whose chain ends on another shape', () => {
    for (let seed = 0; seed < 200; seed++) {
      const hops = 1 + (seed % 4);
      const item = drawChase(new Rng(`cf${seed}`), { hops });
      const cf = item.counterfactual;
      expect(cf.start).not.toBe(item.start);
      const dirs = item.cells.map((c) => c.direction);
      expect(cf.chain).toEqual(followChain(dirs, cf.start, hops));
      expect(cf.answerWord).toBe(item.cells[cf.chain.at(-1)!]!.shape);
      expect(cf.answerWord).not.toBe(item.answerWord);
      expect(cf.rois).toEqual(cf.chain.map((c) => gridCellBox(c, 4)));
    }
  });

  it('draws a per-image legend: 4 distinct colours, stated in the question, symbols by colour index', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 100; seed++) {
      const item = drawChase(new Rng(seed), { hops: 3, legend: true });
      expect(new Set(item.directionColours).size).toBe(4);
      const m = /^legend : (.*) \. from the marked object follow three arrows \. what shape \?$/.exec(item.question);
      expect(m).not.toBeNull();
      const stated = new Map(m![1]!.split(' , ').map((e) => e.split(' ') as [string, string]));
      expect(stated.size).toBe(4);
      item.cells.forEach((cell, i) => {
        expect(stated.get(cell.colour)).toBe(cell.direction);
        expect(item.symbols[i]).toBe(COLOUR_NAMES.indexOf(cell.colour) * 4 + SHAPES.indexOf(cell.shape));
      });
      seen.add(item.directionColours.join());
    }
    expect(seen.size).toBeGreaterThan(50);
  });

  it('is deterministic per Rng state, byte-identical when rendered, and different across seeds', () => {
    const a = drawChase(new Rng(42), { hops: 3, legend: true });
    const b = drawChase(new Rng(42), { hops: 3, legend: true });
    expect(a).toEqual(b);
    expect(Buffer.compare(Buffer.from(renderScene(a.scene).data), Buffer.from(renderScene(b.scene).data))).toBe(0);
    const c = drawChase(new Rng(43), { hops: 3, legend: true });
    expect(Buffer.compare(Buffer.from(renderScene(a.scene).data), Buffer.from(renderScene(c.scene).data))).not.toBe(0);
  });

  it('maps each hop cell box to exactly its one merged visual token (64-px image, 8-px patches, 2×2 merge)', () => {
    const item = drawChase(new Rng(7), { hops: 4 });
    expect(boxesToTokenGroups(item.rois, { t: 1, h: 8, w: 8 }, { mergeSize: 2 })).toEqual(item.chain.map((c) => [c]));
  });

  it('rejects bad knobs', () => {
    expect(() => drawChase(new Rng(0), { hops: 0 })).toThrow(/hops/);
    expect(() => drawChase(new Rng(0), { hops: 5 })).toThrow(/hops/);
    expect(() => drawChase(new Rng(0), { hops: 2, grid: { imageSize: 128, gridCells: 8 } })).toThrow(/gridCells/);
    expect(() => resolveTaskOptions({ hops: [1, 7] })).toThrow(/hops/);
    expect(() => resolveTaskOptions({ hops: [] })).toThrow(/hops/);
  });
});

describe('chaseTask', () => {
  it('spreads draws over the hop list by draw index and carries ordered rois and the counterfactual', () => {
    const o = resolveTaskOptions({ hops: [1, 3] });
    const ks = [0, 1, 2, 3].map((d) => chaseTask.draw(new Rng(d), o, d)[0]!);
    expect(ks.map((it) => it.hops)).toEqual([1, 3, 1, 3]);
    expect(ks.map((it) => it.category)).toEqual(['chase_k1', 'chase_k3', 'chase_k1', 'chase_k3']);
    const it3 = ks[1]!;
    expect(it3.rois).toHaveLength(3);
    expect(it3.counterfactual!.rois).toHaveLength(3);
    expect(it3.counterfactual!.answerWord).not.toBe(it3.options[it3.answerIndex]);
    expect(chaseTask.draw(new Rng(0), resolveTaskOptions({ hops: 2, legend: true }), 0)[0]!.category).toBe('chase_legend_k2');
  });
});

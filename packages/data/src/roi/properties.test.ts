import { describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { bboxToTokenIndices, bboxToTokenRange } from './bbox-to-tokens.js';
import type { NormalizedBox } from './box.js';
import type { PatchGrid, RoiRule } from './options.js';

const RULES: RoiRule[] = ['packed', 'manual'];

function randomGrid(rng: Rng, m: number): PatchGrid {
  return { t: 1, h: m * rng.intBetween(1, 60), w: m * rng.intBetween(1, 90) };
}

/** Random box, mostly inside [0,1], sometimes spilling over, sometimes degenerate or on grid lines. */
function randomBox(rng: Rng, grid: PatchGrid): NormalizedBox {
  const coord = (n: number): number => {
    const r = rng.next();
    if (r < 0.15) return rng.intBetween(0, n) / n; // exactly on a patch-grid line
    if (r < 0.25) return rng.uniform(-0.2, 1.2); // out of range, clamped
    return rng.next();
  };
  let [x0, x1] = [coord(grid.w), coord(grid.w)];
  let [y0, y1] = [coord(grid.h), coord(grid.h)];
  if (rng.next() < 0.1) x1 = x0; // zero width
  if (rng.next() < 0.1) y1 = y0;
  if (x0 > x1) [x0, x1] = [x1, x0];
  if (y0 > y1) [y0, y1] = [y1, y0];
  return [x0, y0, x1, y1];
}

function isSubset(a: readonly number[], b: readonly number[]): boolean {
  const s = new Set(b);
  return a.every((x) => s.has(x));
}

describe('bboxToTokenIndices — properties over random grids and boxes (seeded)', () => {
  for (const rule of RULES) {
    for (const m of [1, 2, 3]) {
      it(`${rule}, mergeSize ${m}: in range, strictly increasing, count = area, rectangle`, () => {
        const rng = new Rng(`roi-props-${rule}-${m}`);
        let empties = 0;
        for (let trial = 0; trial < 1500; trial++) {
          const grid = randomGrid(rng, m);
          const box = randomBox(rng, grid);
          const idx = bboxToTokenIndices(box, grid, { rule, mergeSize: m });
          const r = bboxToTokenRange(box, grid, { rule, mergeSize: m });
          const rows = grid.h / m;
          const cols = grid.w / m;
          const area = Math.max(0, r.tx1 - r.tx0) * Math.max(0, r.ty1 - r.ty0);
          // Plain checks in the hot loop (vitest `expect` per element is slow); one expect per trial.
          let problem = idx.length === area ? '' : `count ${idx.length} != area ${area}`;
          for (let i = 0; i < idx.length && !problem; i++) {
            const v = idx[i] as number;
            if (!Number.isInteger(v) || v < 0 || v >= rows * cols) problem = `index ${v} out of range`;
            else if (i > 0 && v <= (idx[i - 1] as number)) problem = `not strictly increasing at ${i}`;
          }
          if (!problem && idx.length > 0) {
            // Row-major rectangle: the bounding rectangle of the indices has exactly idx.length cells.
            let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
            for (const v of idx) {
              const x = v % cols;
              const y = Math.floor(v / cols);
              minX = Math.min(minX, x); maxX = Math.max(maxX, x);
              minY = Math.min(minY, y); maxY = Math.max(maxY, y);
            }
            if ((maxX - minX + 1) * (maxY - minY + 1) !== idx.length) problem = 'not a rectangle';
            else if (minX !== r.tx0 || minY !== r.ty0) problem = 'rectangle does not start at (tx0, ty0)';
          }
          if (idx.length === 0) empties++;
          if (problem) expect.fail(`${problem} for box ${JSON.stringify(box)} on grid ${JSON.stringify(grid)}`);
        }
        if (rule === 'manual') expect(empties).toBe(0); // the manual rule never returns []
        else expect(empties).toBeGreaterThan(0); // the generator does reach the packed rule's empty case
      });
    }
  }

  it('packed rule is monotone: a containing box yields a superset', () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 2000; trial++) {
      const grid = randomGrid(rng, 2);
      const inner = randomBox(rng, grid);
      const outer: NormalizedBox = [
        inner[0] - rng.next() * rng.next(),
        inner[1] - rng.next() * rng.next(),
        inner[2] + rng.next() * rng.next(),
        inner[3] + rng.next() * rng.next(),
      ];
      const a = bboxToTokenIndices(inner, grid);
      const b = bboxToTokenIndices(outer, grid);
      expect(isSubset(a, b)).toBe(true);
      expect(b.length).toBeGreaterThanOrEqual(a.length);
    }
  });

  it('manual rule is monotone whenever the inner box is not widened to a forced cell', () => {
    const rng = new Rng(8);
    let checked = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const grid = randomGrid(rng, 2);
      const inner = randomBox(rng, grid);
      const outer: NormalizedBox = [inner[0] - rng.next() * 0.3, inner[1] - rng.next() * 0.3, inner[2] + rng.next() * 0.3, inner[3] + rng.next() * 0.3];
      const packedInner = bboxToTokenRange(inner, grid, { rule: 'packed' });
      if (packedInner.tx1 <= packedInner.tx0 || packedInner.ty1 <= packedInner.ty0) continue;
      const cx = (c: number, n: number): number => Math.min(Math.max(c, 0), 1) * n;
      const Wm = grid.w / 2;
      const Hm = grid.h / 2;
      const forced = Math.ceil(cx(inner[2], Wm)) <= Math.min(Math.floor(cx(inner[0], Wm)), Wm - 1) ||
        Math.ceil(cx(inner[3], Hm)) <= Math.min(Math.floor(cx(inner[1], Hm)), Hm - 1);
      if (forced) continue;
      checked++;
      expect(isSubset(bboxToTokenIndices(inner, grid, { rule: 'manual' }), bboxToTokenIndices(outer, grid, { rule: 'manual' }))).toBe(true);
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('packed rule equals floor(x0·W2)..ceil(x1·W2) for boxes inside [0,1] on even grids (away from float ties)', () => {
    const rng = new Rng(9);
    for (let trial = 0; trial < 2000; trial++) {
      const grid = randomGrid(rng, 2);
      const box: NormalizedBox = (() => {
        const a = [rng.next(), rng.next()].sort((p, q) => p - q) as [number, number];
        const b = [rng.next(), rng.next()].sort((p, q) => p - q) as [number, number];
        return [a[0], b[0], a[1], b[1]];
      })();
      const W2 = grid.w / 2;
      const H2 = grid.h / 2;
      const r = bboxToTokenRange(box, grid);
      // Random doubles almost surely avoid the integer ties where the two formulas can differ by rounding.
      expect(r.tx0).toBe(Math.min(Math.floor(box[0] * W2), W2 - 1));
      expect(r.tx1).toBe(Math.ceil(box[2] * W2));
      expect(r.ty0).toBe(Math.min(Math.floor(box[1] * H2), H2 - 1));
      expect(r.ty1).toBe(Math.ceil(box[3] * H2));
    }
  });
});

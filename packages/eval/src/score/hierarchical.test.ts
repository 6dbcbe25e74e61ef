import { describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { hierarchicalBootstrap, hierarchicalMean } from './hierarchical.js';
import { holmCorrection } from './holm.js';

/** `seeds` rows of `items` Bernoulli(p + seedShift[s]) draws. */
function arm(seeds: number, items: number, p: number, rngSeed: number, seedSd = 0): Uint8Array[] {
  const rng = new Rng(rngSeed);
  return Array.from({ length: seeds }, () => {
    const q = p + seedSd * rng.normal();
    return Uint8Array.from({ length: items }, () => (rng.next() < q ? 1 : 0));
  });
}

describe('hierarchical bootstrap', () => {
  it('identical arms: difference 0, CI [0, 0] with paired seeds, p = 1; independent seeds: CI contains 0', () => {
    const a = arm(5, 400, 0.6, 1, 0.03);
    const same = hierarchicalBootstrap(a, a, { seed: 2, pairSeeds: true, resamples: 500 });
    expect(same.value).toBe(0);
    expect(same.lo).toBe(0);
    expect(same.hi).toBe(0);
    expect(same.p).toBe(1);
    const indep = hierarchicalBootstrap(a, a, { seed: 2, resamples: 500 });
    expect(indep.value).toBe(0);
    expect(indep.lo).toBeLessThan(0);
    expect(indep.hi).toBeGreaterThan(0);
    expect(indep.p).toBeGreaterThan(0.5);
  });

  it('a constant shift: the CI is the shift, p tiny', () => {
    // B = A with scores lowered by 0.25 everywhere: every resample's difference is exactly 0.25 when seeds are paired.
    const a = arm(4, 300, 0.5, 3).map((r) => Float64Array.from(r));
    const b = a.map((r) => r.map((x) => x - 0.25));
    const d = hierarchicalBootstrap(a, b, { seed: 1, pairSeeds: true, resamples: 400 });
    expect(d.value).toBeCloseTo(0.25, 10);
    expect(d.lo).toBeCloseTo(0.25, 10);
    expect(d.hi).toBeCloseTo(0.25, 10);
    expect(d.p).toBeCloseTo(2 / 401, 10);
  });

  it('the seed level widens the interval: seed-to-seed spread shows up, item-only resampling would miss it', () => {
    const wobbly = arm(5, 2000, 0.6, 4, 0.08);
    const steady = arm(5, 2000, 0.6, 5, 0);
    const w = hierarchicalMean(wobbly, { seed: 1, resamples: 500 });
    const s = hierarchicalMean(steady, { seed: 1, resamples: 500 });
    expect(w.hi - w.lo).toBeGreaterThan(2 * (s.hi - s.lo));
    expect(s.lo).toBeLessThan(0.6);
    expect(s.hi).toBeGreaterThan(0.6);
    expect(w.seeds).toBe(5);
    expect(w.items).toBe(2000);
  });

  it('detects a real 10-point difference between independent arms', () => {
    const a = arm(5, 2000, 0.7, 6, 0.02);
    const b = arm(3, 2000, 0.6, 7, 0.02);
    const d = hierarchicalBootstrap(a, b, { seed: 3 });
    expect(d.value).toBeGreaterThan(0.05);
    expect(d.lo).toBeGreaterThan(0);
    expect(d.lo).toBeLessThan(d.value);
    expect(d.hi).toBeGreaterThan(d.value);
    expect(d.p).toBeLessThan(0.01);
    expect(d.seedsA).toBe(5);
    expect(d.seedsB).toBe(3);
  });

  it('is deterministic per seed and fast (2000 resamples of 5 seeds × 2000 items per arm well under a second)', () => {
    const a = arm(5, 2000, 0.7, 8);
    const b = arm(5, 2000, 0.65, 9);
    const t0 = performance.now();
    const d1 = hierarchicalBootstrap(a, b, { seed: 11, resamples: 2000 });
    const ms = performance.now() - t0;
    const d2 = hierarchicalBootstrap(a, b, { seed: 11, resamples: 2000 });
    expect(d2).toEqual(d1);
    expect(ms).toBeLessThan(1000);
  });

  it('rejects bad input with LvrError', () => {
    expect(() => hierarchicalBootstrap([[1, 0]], [[1, 0, 1]])).toThrow(/share their items/);
    expect(() => hierarchicalBootstrap([[1, 0], [1]], [[1, 0]])).toThrow(/seed 1 has 1 items/);
    expect(() => hierarchicalBootstrap([[1, 0]], [[1, 0], [0, 0]], { pairSeeds: true })).toThrow(/pairSeeds/);
    expect(() => hierarchicalMean([[1, Number.NaN]])).toThrow(/item 1/);
    expect(() => hierarchicalMean([])).toThrow(/no seeds/);
    expect(() => hierarchicalMean([[1]], { resamples: 0 })).toThrow(/resamples/);
  });
});

describe('Holm correction', () => {
  it('matches the textbook step-down values', () => {
    const r = holmCorrection([0.01, 0.04, 0.03, 0.005]);
    expect(r.adjusted.map((p) => Number(p.toFixed(10)))).toEqual([0.03, 0.06, 0.06, 0.02]);
    expect(r.rejected).toEqual([true, false, false, true]);
    // Capped at 1, monotone in the sorted order.
    const c = holmCorrection([0.5, 0.6, 0.001], 0.01);
    expect(c.adjusted.map((p) => Number(p.toFixed(10)))).toEqual([1, 1, 0.003]);
    expect(c.rejected).toEqual([false, false, true]);
    expect(holmCorrection([]).adjusted).toEqual([]);
    expect(() => holmCorrection([1.2])).toThrow(/p-value 0/);
  });
});

import { Rng } from '@lvr/core';
import { describe, expect, it } from 'vitest';
import { bootstrapCi } from './bootstrap.js';

const acc = (s: readonly boolean[]): number => s.filter(Boolean).length / s.length;

describe('bootstrapCi', () => {
  it('matches the normal approximation of a proportion (n = 1000, p = 0.7)', () => {
    const items = Array.from({ length: 1000 }, (_, i) => i % 10 < 7);
    const ci = bootstrapCi(acc, items, { seed: 5 });
    const se = Math.sqrt((0.7 * 0.3) / 1000); // 0.0145 → ±0.0284
    expect(ci.value).toBe(0.7);
    expect(ci.lo).toBeGreaterThan(0.7 - 1.96 * se - 0.006);
    expect(ci.lo).toBeLessThan(0.7 - 1.96 * se + 0.006);
    expect(ci.hi).toBeGreaterThan(0.7 + 1.96 * se - 0.006);
    expect(ci.hi).toBeLessThan(0.7 + 1.96 * se + 0.006);
  });

  it('is deterministic for a seed or an Rng, and collapses when every item is the same', () => {
    const items = [true, false, true, true, false, true];
    expect(bootstrapCi(acc, items, { seed: 1 })).toEqual(bootstrapCi(acc, items, { rng: new Rng(1) }));
    const values = [0.3, 1.7, 2.2, 5.9, 0.4, 3.3, 8.1, 1.1];
    const mean = (s: readonly number[]): number => s.reduce((a, b) => a + b, 0) / s.length;
    expect(bootstrapCi(mean, values, { seed: 1 })).toEqual(bootstrapCi(mean, values, { seed: 1 }));
    expect(bootstrapCi(mean, values, { seed: 1 })).not.toEqual(bootstrapCi(mean, values, { seed: 2 }));
    expect(bootstrapCi(acc, [true, true, true])).toEqual({ value: 1, lo: 1, hi: 1 });
    const ci = bootstrapCi(acc, items, { resamples: 500, level: 0.5 });
    const wide = bootstrapCi(acc, items, { resamples: 500, level: 0.99 });
    expect(wide.hi - wide.lo).toBeGreaterThan(ci.hi - ci.lo);
  });

  it('stratified resampling keeps every stratum at its size', () => {
    const items = [...Array.from({ length: 10 }, () => 'a'), ...Array.from({ length: 30 }, () => 'b')];
    const shareOfA = (s: readonly string[]): number => s.filter((x) => x === 'a').length / s.length;
    expect(bootstrapCi(shareOfA, items, { strata: (x) => x })).toEqual({ value: 0.25, lo: 0.25, hi: 0.25 });
    const free = bootstrapCi(shareOfA, items);
    expect(free.hi - free.lo).toBeGreaterThan(0.1);
  });

  it('rejects no items, bad options and a non-finite statistic', () => {
    expect(() => bootstrapCi(acc, [])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => bootstrapCi(acc, [true], { resamples: 0 })).toThrow(/resamples must be a positive integer/);
    expect(() => bootstrapCi(acc, [true], { level: 1 })).toThrow(/level must be in/);
    expect(() => bootstrapCi(() => Number.NaN, [true])).toThrow(expect.objectContaining({ code: 'NUMERIC' }));
  });
});

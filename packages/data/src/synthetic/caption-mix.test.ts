import { describe, expect, it } from 'vitest';
import { LvrError, Rng } from '@lvr/core';
import { generateCaptionExample, resolveCaptionOptions } from './caption.js';

describe('caption scene mix (gridProbability, markProbability)', () => {
  it('gridProbability 1: a 4×4 board of 16 large objects, one per cell, exactly one marked', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 5; i++) {
      const ex = generateCaptionExample(rng, { gridProbability: 1 });
      expect(ex.objects).toHaveLength(16);
      expect(ex.objects.every((o) => o.size === 'large')).toBe(true);
      expect(ex.objects.filter((o) => o.marked)).toHaveLength(1);
      expect(ex.caption.match(/ marked /g)).toHaveLength(1);
      const cells = ex.caption.split(' ; ').map((part) => part.split(' ').slice(-2).join(' '));
      expect(new Set(cells).size).toBe(16);
    }
  });

  it('markProbability 1 marks one object of every free scene; the defaults mark none and keep the old stream', () => {
    const rng = new Rng(6);
    for (let i = 0; i < 5; i++) {
      const ex = generateCaptionExample(rng, { markProbability: 1 });
      expect(ex.objects.filter((o) => o.marked)).toHaveLength(1);
      expect(ex.objects.length).toBeLessThanOrEqual(10);
    }
    const a = generateCaptionExample(new Rng(7), {});
    const b = generateCaptionExample(new Rng(7), { gridProbability: 0, markProbability: 0 });
    expect(b.caption).toBe(a.caption);
    expect(a.caption).not.toContain('marked');
  });

  it('mixes both layouts at gridProbability ½ and rejects probabilities outside [0, 1]', () => {
    const rng = new Rng(8);
    const opts = resolveCaptionOptions({ gridProbability: 0.5 });
    const grids = Array.from({ length: 40 }, () => generateCaptionExample(rng, opts).objects.length === 16 ? 1 : 0).reduce((s: number, x) => s + x, 0);
    expect(grids).toBeGreaterThan(8);
    expect(grids).toBeLessThan(32);
    expect(() => resolveCaptionOptions({ gridProbability: 1.5 })).toThrow(LvrError);
    expect(() => resolveCaptionOptions({ markProbability: -0.1 })).toThrow(/markProbability/);
  });
});

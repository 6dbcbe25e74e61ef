import { Rng, isLvrError } from '@lvr/core';
import { describe, expect, it } from 'vitest';
import { sampleToken } from './sample-token.js';
import { parseSamplerSpec, resolveSamplerConfig } from './sampler-config.js';

const greedy = resolveSamplerConfig({ kind: 'greedy' });

describe('sampleToken', () => {
  it('greedy picks the argmax and reports log softmax of the raw logits', () => {
    const r = sampleToken(Float32Array.of(2, 1, 0), greedy, new Rng(1));
    expect(r.token).toBe(0);
    expect(r.logprob).toBeCloseTo(2 - Math.log(Math.exp(2) + Math.exp(1) + 1), 6);
  });

  it('greedy consumes no randomness', () => {
    const rng = new Rng(5);
    const before = rng.getState();
    sampleToken(Float32Array.of(0, 1), greedy, rng);
    expect(rng.getState()).toEqual(before);
  });

  it('repetition penalty changes the greedy choice: [2, 1.5, 0] with token 0 seen and θ = 2 → 1', () => {
    const s = resolveSamplerConfig({ kind: 'greedy', repetitionPenalty: 2 });
    expect(sampleToken(Float32Array.of(2, 1.5, 0), s, new Rng(0), [0]).token).toBe(1);
    expect(sampleToken(Float32Array.of(2, 1.5, 0), s, new Rng(0), []).token).toBe(0);
  });

  it('suppressed ids are never chosen', () => {
    expect(sampleToken(Float32Array.of(5, 1, 3), greedy, new Rng(0), [], [0]).token).toBe(2);
    const s = resolveSamplerConfig({ kind: 'sample', temperature: 1 });
    const rng = new Rng(3);
    for (let i = 0; i < 200; i++) expect(sampleToken(Float32Array.of(5, 5, 5), s, rng, [], [1]).token).not.toBe(1);
  });

  it('sampling draws by inverse CDF with one uniform from the row generator', () => {
    const s = resolveSamplerConfig({ kind: 'sample' });
    const logits = Float32Array.from([0.7, 0.2, 0.1].map(Math.log));
    for (let seed = 0; seed < 50; seed++) {
      const u = new Rng(seed).next();
      const expected = u < 0.7 ? 0 : u < 0.9 ? 1 : 2;
      expect(sampleToken(logits, s, new Rng(seed)).token).toBe(expected);
    }
  });

  it('sampled frequencies follow softmax(logits / T)', () => {
    const s = resolveSamplerConfig({ kind: 'sample', temperature: 2 });
    const logits = Float32Array.of(Math.log(0.81), Math.log(0.09), Math.log(0.1)); // T = 2 → ∝ 0.9, 0.3, 0.316…
    const expected = [0.9, 0.3, Math.sqrt(0.1)];
    const z = expected.reduce((a, b) => a + b);
    const counts = [0, 0, 0];
    const rng = new Rng(11);
    const n = 20000;
    for (let i = 0; i < n; i++) counts[sampleToken(logits, s, rng).token]! += 1;
    counts.forEach((c, i) => expect(Math.abs(c / n - expected[i]! / z)).toBeLessThan(0.015));
  });

  it('top-k = 1 always returns the argmax; the logprob ignores truncation (TRL convention)', () => {
    const s = resolveSamplerConfig({ kind: 'sample', topK: 1 });
    const rng = new Rng(9);
    for (let i = 0; i < 50; i++) {
      const r = sampleToken(Float32Array.of(2, 1, 0), s, rng);
      expect(r.token).toBe(0);
      expect(r.logprob).toBeCloseTo(2 - Math.log(Math.exp(2) + Math.exp(1) + 1), 6);
    }
  });

  it('top-p restricts draws to the nucleus', () => {
    const s = resolveSamplerConfig({ kind: 'sample', topP: 0.75 });
    const logits = Float32Array.from([0.5, 0.3, 0.15, 0.05].map(Math.log));
    const rng = new Rng(2);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(sampleToken(logits, s, rng).token);
    expect([...seen].sort()).toEqual([0, 1]);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const s = resolveSamplerConfig({ kind: 'sample', temperature: 1.5, topK: 5, topP: 0.9 });
    const logits = Float32Array.from({ length: 10 }, (_, i) => Math.sin(i));
    const run = (seed: number): number[] => {
      const rng = new Rng(seed);
      return Array.from({ length: 40 }, () => sampleToken(logits, s, rng).token);
    };
    expect(run(4)).toEqual(run(4));
    expect(run(4)).not.toEqual(run(5));
  });

  it('NaN logits and an all-suppressed row are NUMERIC errors naming the row and position', () => {
    const err = (f: () => unknown): unknown => { try { f(); } catch (e) { return e; } return undefined; };
    const e1 = err(() => sampleToken(Float32Array.of(0, Number.NaN), greedy, new Rng(0), [], [], { row: 2, index: 7 }));
    expect(isLvrError(e1) && e1.code === 'NUMERIC' && /row 2, generated position 7: logit of token 1 is NaN/.test(e1.message)).toBe(true);
    const e2 = err(() => sampleToken(Float32Array.of(1, 2), resolveSamplerConfig({ kind: 'sample' }), new Rng(0), [], [0, 1]));
    expect(isLvrError(e2) && e2.code === 'NUMERIC').toBe(true);
    const e3 = err(() => sampleToken(Float32Array.of(1, 2), greedy, new Rng(0), [], [0, 1]));
    expect(isLvrError(e3) && e3.code === 'NUMERIC').toBe(true);
  });
});

describe('sampler config', () => {
  it('fills defaults, maps temperature 0 to greedy, rejects bad values', () => {
    expect(resolveSamplerConfig()).toEqual({ kind: 'greedy', repetitionPenalty: 1 });
    expect(resolveSamplerConfig({ kind: 'sample' })).toEqual({ kind: 'sample', temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1 });
    expect(resolveSamplerConfig({ kind: 'sample', temperature: 0, repetitionPenalty: 1.05 })).toEqual({ kind: 'greedy', repetitionPenalty: 1.05 });
    for (const bad of [{ temperature: -1 }, { topK: 1.5 }, { topP: 0 }, { topP: 1.2 }, { repetitionPenalty: 0 }]) {
      expect(() => resolveSamplerConfig({ kind: 'sample', ...bad })).toThrow(/sampler\./);
    }
    expect(() => resolveSamplerConfig({ kind: 'beam' } as never)).toThrow(/'greedy' or 'sample'/);
  });

  it('parses command-line specs', () => {
    expect(parseSamplerSpec('greedy')).toEqual({ kind: 'greedy', repetitionPenalty: 1 });
    expect(parseSamplerSpec('greedy:rp=1.05')).toEqual({ kind: 'greedy', repetitionPenalty: 1.05 });
    expect(parseSamplerSpec('sample:t=0.9,k=50,p=0.95')).toEqual({ kind: 'sample', temperature: 0.9, topK: 50, topP: 0.95, repetitionPenalty: 1 });
    expect(parseSamplerSpec('sample:temperature=0.7,topK=3')).toMatchObject({ temperature: 0.7, topK: 3 });
    expect(() => parseSamplerSpec('nucleus')).toThrow(/kind must be/);
    expect(() => parseSamplerSpec('sample:t=hot')).toThrow(/cannot read "t=hot"/);
    expect(() => parseSamplerSpec('greedy:t=0.5')).toThrow(/greedy takes only rp=/);
  });
});

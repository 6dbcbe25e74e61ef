import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Rng(7), b = new Rng(7), c = new Rng(8);
    const sa = Array.from({ length: 5 }, () => a.next());
    const sb = Array.from({ length: 5 }, () => b.next());
    const sc = Array.from({ length: 5 }, () => c.next());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    for (const x of sa) expect(x >= 0 && x < 1).toBe(true);
  });

  it('restores exactly from its state', () => {
    const a = new Rng('seed');
    a.next();
    const st = a.getState();
    const x = [a.next(), a.normal(), a.int(10)];
    const b = Rng.fromState(st);
    expect([b.next(), b.normal(), b.int(10)]).toEqual(x);
  });

  it('has roughly uniform ints and unit-variance normals', () => {
    const r = new Rng(1);
    const counts = new Array(4).fill(0);
    let s = 0, s2 = 0;
    for (let i = 0; i < 20000; i++) {
      counts[r.int(4)]++;
      const z = r.normal();
      s += z; s2 += z * z;
    }
    for (const c of counts) expect(Math.abs(c - 5000)).toBeLessThan(300);
    expect(Math.abs(s / 20000)).toBeLessThan(0.05);
    expect(Math.abs(s2 / 20000 - 1)).toBeLessThan(0.05);
  });

  it('rejects a non-positive range', () => {
    expect(() => new Rng(1).int(0)).toThrow(RangeError);
  });
});

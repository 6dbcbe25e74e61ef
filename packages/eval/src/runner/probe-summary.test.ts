import { describe, expect, it } from 'vitest';
import type { EvalRecord } from './evaluate.js';
import { alignScores, hopDecodabilityTable, probeSummaryAcrossSeeds, probeSummaryRow } from './probe-summary.js';
import type { ProbeKind } from './probes.js';

const rec = (id: string, correct: boolean, extra: Partial<EvalRecord> = {}, probe: ProbeKind = 'none'): EvalRecord => ({
  id, benchmark: 'synthetic', category: 'chase', method: 'lvr', strategy: 'fixed:3', probe, answer: 'A',
  prediction: correct ? 'A' : 'B', rule: 'constrained-word', correct, text: '', latentSteps: 3, stopReasons: ['strategy'], ...extra,
});

// 100 items: the normal run is right on 80; zeros keeps 20 of them; the counterfactual follows on 60.
const ids = Array.from({ length: 100 }, (_, i) => `i${i}`);
const normal = ids.map((id, i) => rec(id, i < 80, { hops: 3, hopHitDot: [true, i < 90, i < 50], hopHitL2: [true, true, i < 70] }));
const zeros = ids.map((id, i) => rec(id, i < 20, {}, 'zeros'));
const cf = ids.map((id, i) => rec(id, false, { followed: i < 60 }, 'counterfactual'));

describe('probe summary rows', () => {
  it('accuracy, paired drop vs normal and follow rate', () => {
    const z = probeSummaryRow(normal, zeros, { seed: 1, resamples: 500 });
    expect(z.probe).toBe('zeros');
    expect(z.items).toBe(100);
    expect(z.normal.value).toBeCloseTo(0.8);
    expect(z.accuracy.value).toBeCloseTo(0.2);
    expect(z.drop.value).toBeCloseTo(0.6);
    expect(z.drop.lo).toBeGreaterThan(0.45);
    expect(z.followRate).toBeUndefined();
    const c = probeSummaryRow(normal, cf, { seed: 1, resamples: 500 });
    expect(c.followRate!.value).toBeCloseTo(0.6);
    expect(c.followRate!.lo).toBeLessThan(0.6);
    // A probe on a subset is compared on that subset only.
    const sub = probeSummaryRow(normal, zeros.slice(0, 10), { seed: 1, resamples: 200 });
    expect(sub.normal.value).toBe(1);
    expect(sub.drop.value).toBe(0);
    expect(() => probeSummaryRow(normal.slice(1), zeros)).toThrow(/item i0 of the zeros run is not in the normal run/);
    expect(() => probeSummaryRow(normal, [])).toThrow(/no records/);
  });

  it('per-hop decodability per (category, k)', () => {
    const other = [rec('x', true, { category: 'chase', hops: 1, hopHitDot: [false], hopHitL2: [true] })];
    const t = hopDecodabilityTable([...normal, ...other, rec('y', true)]);
    expect(t.map((r) => [r.category, r.hops, r.n])).toEqual([['chase', 1, 1], ['chase', 3, 100]]);
    expect(t[1]!.dot).toEqual([1, 0.9, 0.5]);
    expect(t[1]!.l2).toEqual([1, 1, 0.7]);
    expect(t[0]!.dot).toEqual([0]);
  });

  it('across seeds: aligned by id, seeds paired for the drop, follow rate and mean per-hop decodability', () => {
    const shuffled = [...zeros].reverse();
    expect(Array.from(alignScores([normal, shuffled], { ids: ['i0', 'i99'] })[1]!)).toEqual([1, 0]);
    expect(() => alignScores([normal, zeros.slice(1)])).toThrow(/run 1 has no item i0/);
    const s = probeSummaryAcrossSeeds([{ normal, probed: zeros }, { normal, probed: shuffled }], { seed: 2, resamples: 300 });
    expect(s.seeds).toBe(2);
    expect(s.drop.value).toBeCloseTo(0.6);
    expect(s.drop.lo).toBeGreaterThan(0.4);
    expect(s.drop.p).toBeLessThan(0.01);
    expect(s.hopDot).toEqual([1, 0.9, 0.5]);
    const f = probeSummaryAcrossSeeds([{ normal, probed: cf }], { seed: 2, resamples: 300 });
    expect(f.followRate!.value).toBeCloseTo(0.6);
  });
});

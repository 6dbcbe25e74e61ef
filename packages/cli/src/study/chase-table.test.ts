import { describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { selectStudyArms } from './chase-arms.js';
import { aggregateStudy, chaseJson, type StudyJobResult } from './chase-table.js';
import { studyVerdict } from './chase-verdict.js';

/** A job whose items are correct with probability p (seeded), plus an optional probe at probability q. */
function job(arm: string, seed: number, acc: Record<string, number>): StudyJobResult {
  const rng = new Rng(`${arm}/${seed}`);
  const evals: StudyJobResult['evals'] = {};
  for (const [key, p] of Object.entries(acc)) {
    const n = key.includes('/') ? 100 : 400;
    const correct: number[] = Array.from({ length: n }, () => (rng.next() < p ? 1 : 0));
    evals[key] = { accuracy: correct.reduce((s, x) => s + x, 0) / n, n, correct, ...(key.endsWith('counterfactual') ? { followed: correct.map((c) => 1 - c) } : {}) };
  }
  return { arm, seed, view: 'symbols', backend: 'stub', trainMs: 1000, evalMs: 500, evals };
}

describe('study table', () => {
  const arms = selectStudyArms(['sft', 'pause', 'ptr-argmax']);
  const results = [0, 1, 2].flatMap((s) => [
    job('sft', s, { 'chase-k1': 0.3, 'chase-k3': 0.3 }),
    job('pause', s, { 'chase-k1': 0.3, 'chase-k3': 0.3 }),
    job('ptr-argmax', s, { 'chase-k1': 0.95, 'chase-k3': 0.9, 'chase-k3/zeros': 0.25, 'chase-k3/counterfactual': 0.2 }),
  ]);
  const t = aggregateStudy(results, arms, ['chase-k1', 'chase-k3'], { primaryArm: 'ptr-argmax', primaryLabel: 'chase-k3' });

  it('gives per-arm accuracies with hierarchical CIs, and the primary endpoint with Holm over its two comparisons', () => {
    const ptr = t.arms.find((a) => a.name === 'ptr-argmax')!;
    expect(ptr.cells['chase-k3']!.acc).toBeGreaterThan(85);
    expect(ptr.cells['chase-k3']!.lo).toBeLessThan(ptr.cells['chase-k3']!.acc);
    expect(ptr.seeds).toEqual([0, 1, 2]);
    const [vsSft, vsPause] = t.primary.stats;
    expect(vsSft!.versus).toBe('sft');
    expect(vsSft!.stat!.diff).toBeGreaterThan(50);
    expect(vsSft!.stat!.lo).toBeGreaterThan(0);
    expect(vsPause!.stat!.pHolm).toBeLessThan(0.01);
    // Pause vs SFT is in the family (pause is a span arm), ptr-argmax vs both at both k: 2 + 4 rows.
    expect(t.comparisons).toHaveLength(6);
    const pauseVsSft = t.comparisons.find((c) => c.arm === 'pause' && c.label === 'chase-k3')!;
    expect(pauseVsSft.stat.lo).toBeLessThan(0);
    expect(pauseVsSft.stat.hi).toBeGreaterThan(0);
  });

  it('reports probe drops against the same items of the normal run, and the follow rate', () => {
    const z = t.probes['ptr-argmax']!['chase-k3']!.zeros!;
    expect(z.acc.acc).toBeLessThan(40);
    expect(z.drop.diff).toBeGreaterThan(50);
    const cf = t.probes['ptr-argmax']!['chase-k3']!.counterfactual!;
    expect(cf.follow).toBeGreaterThan(0.6);
  });

  it('writes chase.json in the documented shape', () => {
    const j = chaseJson(t) as { k: number[]; arms: Record<string, { acc: number[]; ci: number[][] }>; primary: { sft: { diff: number; ci: number[] } } };
    expect(j.k).toEqual([1, 3]);
    expect(j.arms.sft!.acc).toHaveLength(2);
    expect(j.arms.sft!.ci[0]).toHaveLength(2);
    expect(j.primary.sft.diff).toBeGreaterThan(50);
  });

  it('words the gates and falsifiers from the numbers', () => {
    const withOracle = aggregateStudy([...results, ...[0, 1, 2].map((s) => job('ptr-argmax', s, { 'chase-k3': 0.9, 'chase-k3/oracle': 0.99, 'chase-k3/zeros': 0.25 }))].filter((r, i, a) => a.findIndex((x) => x.arm === r.arm && x.seed === r.seed) === i || r.evals['chase-k3/oracle']), arms, ['chase-k3'], { primaryArm: 'ptr-argmax', primaryLabel: 'chase-k3' });
    const v = studyVerdict(withOracle, 'chase-k3');
    expect(v.find((x) => x.id === 'F3')!.holds).toBe(false);
    expect(v.find((x) => x.id === 'F2')!.holds).toBe(false);
    expect(v.find((x) => x.id === 'F4')!.holds).toBe(false);
    expect(v.find((x) => x.id === 'F4')!.text).toMatch(/zeros removes/);
    const flat = studyVerdict(aggregateStudy(results.filter((r) => r.arm !== 'ptr-argmax'), arms, ['chase-k3'], { primaryArm: 'ptr-argmax', primaryLabel: 'chase-k3' }), 'chase-k3');
    expect(flat.find((x) => x.id === 'G2')!.holds).toBeUndefined();
  });
});

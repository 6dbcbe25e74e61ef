import { describe, expect, it } from 'vitest';
import { UsageError } from '../args.js';
import { evalPlan, summarizeEval } from './ablate-job.js';
import { ablationAccuracySvg, ablationMarkdown, ablationStepsSvg, aggregateAblation, beatsSft, seedStats, type EvalSummary, type JobResult } from './ablate-table.js';
import { resolveAblateConfig } from './ablate.js';
import { selectVariants } from './ablate-variants.js';

/** An evaluation in which the first `k` of `n` items are correct. */
function ev(k: number, n = 200, extra: Partial<EvalSummary> = {}): EvalSummary {
  const correct = Array.from({ length: n }, (_, i) => i < k);
  return { accuracy: k / n, n, meanLatentSteps: 0, correct, ...extra };
}

function job(variant: string, seed: number, k: number, evals: Record<string, EvalSummary> = {}): JobResult {
  return { variant, seed, backend: 'stub', trainMs: 1000 * (seed + 1), evalMs: 500, evals: { main: ev(k), ...evals } };
}

describe('ablation table', () => {
  it('aggregates seeds: mean, SD, range and a CI of the seed mean that contains it', () => {
    const s = seedStats([ev(80), ev(90), ev(100)], 'x');
    expect(s.mean).toBeCloseTo(0.45, 10);
    expect(s.sd).toBeCloseTo(0.05, 10);
    expect([s.min, s.max]).toEqual([0.4, 0.5]);
    expect(s.lo).toBeLessThan(s.mean);
    expect(s.hi).toBeGreaterThan(s.mean);
    expect(() => seedStats([ev(1, 10), ev(1, 12)], 'x')).toThrow(/10 vs 12|12 vs 10/);
  });

  it('"beats SFT" needs a margin larger than both CI half-widths and both seed ranges', () => {
    const sft = { mean: 0.4, sd: 0.01, min: 0.39, max: 0.41, lo: 0.37, hi: 0.43, perSeed: [] };
    expect(beatsSft({ ...sft, mean: 0.5, min: 0.49, max: 0.51, lo: 0.47, hi: 0.53 }, sft)).toBe(true);
    expect(beatsSft({ ...sft, mean: 0.42, min: 0.41, max: 0.43, lo: 0.39, hi: 0.45 }, sft)).toBe(false); // inside the CI
    expect(beatsSft({ ...sft, mean: 0.5, min: 0.38, max: 0.62, lo: 0.47, hi: 0.53 }, sft)).toBe(false); // seed range 0.24
  });

  it('builds rows with probes, roi_hit, strategies and the paired difference to SFT, and renders them', () => {
    const probes = (k: number) => ({ zeros: ev(k - 20), noise: ev(k - 10), 'gt-roi': ev(180), distractor: ev(10), 'fixed:1': ev(k - 5, 200, { meanLatentSteps: 1 }), 'fixed:4': ev(k, 200, { meanLatentSteps: 4 }), converge: ev(k, 200, { meanLatentSteps: 2.5 }) });
    const results = [
      job('sft', 0, 80), job('sft', 1, 82), job('sft', 2, 78),
      ...[0, 1, 2].map((s) => job('lvr-ref', s, 60, probes(60))),
      ...[0, 1, 2].map((s) => job('lvr-infonce', s, 120 + s, { ...probes(120), main: ev(120 + s, 200, { roiHitL2: 0.5 + s / 10, meanLatentSteps: 4 }) })),
    ];
    const t = aggregateAblation(results, selectVariants(['lvr-ref', 'lvr-infonce']));
    expect(t.rows.map((r) => r.name)).toEqual(['sft', 'lvr-ref', 'lvr-infonce']);
    expect(t.items).toBe(200);
    expect(t.seeds).toEqual([0, 1, 2]);
    const ref = t.rows[1]!;
    expect(ref.reference).toBe(true);
    expect(ref.probes['gt-roi']).toBeCloseTo(0.9);
    expect(ref.strategies.converge).toEqual({ accuracy: 0.3, meanLatentSteps: 2.5 });
    expect(ref.trainS).toBeCloseTo(2);
    expect(ref.vsSft!.diff).toBeCloseTo(0.3 - 0.4);
    expect(ref.vsSft!.beats).toBe(false);
    const inf = t.rows[2]!;
    expect(inf.roiHitL2).toBeCloseTo(0.6);
    expect(inf.vsSft!.diff).toBeCloseTo(0.605 - 0.4);
    expect(inf.vsSft!.lo).toBeGreaterThan(0);
    expect(inf.vsSft!.beats).toBe(true);
    const md = ablationMarkdown(t, { command: 'lvr ablate --out X' });
    expect(md).toContain('Produced by `lvr ablate --out X`');
    expect(md).toMatch(/\| LVR InfoNCE \| 60\.5 ± 0\.5 \|/);
    expect(md).toContain('Beat data-matched SFT by more than both the CI and the seed spread: LVR InfoNCE (+20.5 points)');
    expect(md).toMatch(/Best LVR variant: LVR InfoNCE at 60\.5 % vs the reference recipe's 30\.0 %/);
    expect(md).toContain('| LVR reference | 30.0 | 20.0 | 25.0 | 90.0 | 5.0 | – |');
    expect(ablationAccuracySvg(t)).toContain('<svg');
    expect(ablationStepsSvg(t)).toContain('lvr-ref fixed 1/4/8');
  });

  it('breaks the main accuracy down per task, with the chance level of each task', () => {
    // 200 items: the first 100 are "attribute" (4 options), the rest "pair" (2 options); 80 correct = the first 80.
    const items = Array.from({ length: 200 }, (_, i) => (i < 100 ? { task: 'attribute', options: 4 } : { task: 'pair', options: 2 }));
    const t = aggregateAblation([job('sft', 0, 80), job('sft', 1, 120)], selectVariants([]), { items });
    expect(t.chance).toEqual({ attribute: 0.25, pair: 0.5 });
    expect(t.rows[0]!.perTask).toEqual({ attribute: 0.9, pair: 0.1 });
    expect(ablationMarkdown(t, { command: 'c' })).toContain('| *chance* | 25.0 | 50.0 | 37.5 |');
    expect(() => aggregateAblation([job('sft', 0, 80)], selectVariants([]), { items: items.slice(0, 10) })).toThrow(/10 item descriptions/);
  });

  it('says so when nothing beats SFT', () => {
    const t = aggregateAblation([job('sft', 0, 100), job('lvr-t4', 0, 101)], selectVariants(['lvr-t4']));
    expect(ablationMarkdown(t, { command: 'c' })).toContain('No variant beat data-matched SFT');
  });
});

describe('ablation plan and config', () => {
  it('evaluates LVR with probes (and strategies when adaptive), LIVR with its probes, SFT once', () => {
    expect(evalPlan('sft', false).map((e) => e.name)).toEqual(['main']);
    expect(evalPlan('livr', false).map((e) => e.name)).toEqual(['main', 'zeros', 'bottleneck']);
    expect(evalPlan('lvr', false).map((e) => e.name)).toEqual(['main', 'zeros', 'noise', 'gt-roi', 'distractor']);
    expect(evalPlan('lvr', true).map((e) => e.name)).toContain('end-prob');
    expect(evalPlan('lvr', true).find((e) => e.name === 'exit-prob')?.strategy).toEqual({ kind: 'exit-prob', p: 0.5, maxSteps: 16, forceEnd: true });
    expect(evalPlan('lvr', false)[0]!.roiHit).toBe(true);
  });

  it('summarises records in item order and averages roi_hit over items with latents', () => {
    const rec = (correct: boolean, steps: number, roiHitL2?: number) => ({
      id: 'x', benchmark: 'synthetic', category: 'attribute', method: 'lvr' as const, strategy: 'fixed:4', probe: 'none' as const, answer: 'A',
      prediction: 'A', rule: 'constrained-word', correct, text: '', latentSteps: steps, stopReasons: [], roiHitL2,
    });
    const s = summarizeEval([rec(true, 4, 0.5), rec(false, 2, 1), rec(true, 0)]);
    expect(s.accuracy).toBeCloseTo(2 / 3);
    expect(s.meanLatentSteps).toBe(2);
    expect(s.roiHitL2).toBe(0.75);
    expect(s.roiHitCos).toBeUndefined();
    expect(s.correct).toEqual([true, false, true]);
  });

  it('resolves sizes (quick, overrides) and rejects unknown variants', () => {
    expect(resolveAblateConfig({}).seeds).toBe(3);
    const q = resolveAblateConfig({ quick: true, steps: '7' });
    expect(q.steps).toBe(7);
    expect(q.trainCount).toBeLessThan(100);
    expect(resolveAblateConfig({ variants: 'lvr-ref,lvr-t4' }).variants).toEqual(['lvr-ref', 'lvr-t4']);
    expect(() => resolveAblateConfig({ variants: 'nope' })).toThrow(UsageError);
    expect(selectVariants(['lvr-t4']).map((v) => v.name)).toEqual(['sft', 'lvr-t4']);
  });
});

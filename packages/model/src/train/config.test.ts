import { describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { resolveTrainerConfig, type TrainerConfigInput } from './config.js';
import { lrAt } from './schedule.js';

function expectInvalid(input: TrainerConfigInput, re: RegExp): void {
  try {
    resolveTrainerConfig(input);
    expect.unreachable();
  } catch (e) {
    expect(isLvrError(e) && e.code, String(e)).toBe('CONFIG_INVALID');
    expect((e as Error).message).toMatch(re);
  }
}

describe('resolveTrainerConfig', () => {
  it('fills defaults and freezes the result', () => {
    const c = resolveTrainerConfig({ totalSteps: 100 });
    expect(c).toMatchObject({
      seed: 42, totalSteps: 100, accumSteps: 1, lr: 1e-3, warmupSteps: 0, schedule: 'cosine', minLrRatio: 0, maxGradNorm: 1,
      onNonFinite: 'error', checkpointEvery: 0, keepLast: 2, saveFinal: true, logEvery: 10, metricsTail: 20, lossCurve: true,
      adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
    });
    expect(c.stages).toEqual([{ steps: 100, peakLr: 1e-3, warmupSteps: 0, kind: 'cosine', minLrRatio: 0 }]);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.stages[0])).toBe(true);
    expect(resolveTrainerConfig(c)).toEqual(c); // idempotent
  });

  it('derives warmup from warmupRatio with ceil, like transformers', () => {
    expect(resolveTrainerConfig({ totalSteps: 2500, warmupRatio: 0.03 }).warmupSteps).toBe(75);
    expect(resolveTrainerConfig({ totalSteps: 10, warmupRatio: 0.05 }).warmupSteps).toBe(1);
    expect(resolveTrainerConfig({ totalSteps: 10, warmupRatio: 0.5, warmupSteps: 2 }).warmupSteps).toBe(2);
  });

  it('resolves LIVR-style stages with per-stage warmup, inheriting run defaults', () => {
    const c = resolveTrainerConfig({ lr: 1e-4, warmupRatio: 0.05, stages: [{ steps: 500, name: 'bottleneck' }, { steps: 750, lr: 5e-5, schedule: 'linear' }] });
    expect(c.totalSteps).toBe(1250);
    expect(c.stages).toEqual([
      { steps: 500, peakLr: 1e-4, warmupSteps: 25, kind: 'cosine', minLrRatio: 0, name: 'bottleneck' },
      { steps: 750, peakLr: 5e-5, warmupSteps: 38, kind: 'linear', minLrRatio: 0 },
    ]);
    expect(lrAt(525, { stages: c.stages })).toBeCloseTo(5e-5 * 25 / 38, 15);
    expect(resolveTrainerConfig(c)).toEqual(c);
  });

  it('names every bad field at once, with its path and value', () => {
    expectInvalid(
      { totalSteps: 0, lr: -1, stages: [{ steps: 2, warmupSteps: 1.5 }], warmup_steps: 3 } as TrainerConfigInput,
      /^trainer config: totalSteps must be an integer ≥ 1, got 0; lr must be a finite number ≥ 0, got -1; stages\[0\]\.warmupSteps must be an integer ≥ 0, got 1\.5; warmup_steps is not a known field$/,
    );
  });

  it.each([
    [{}, /totalSteps is required/],
    [{ totalSteps: 0 }, /totalSteps must be an integer ≥ 1, got 0/],
    [{ totalSteps: 10, accumSteps: 1.5 }, /accumSteps must be an integer/],
    [{ totalSteps: 10, lr: -1 }, /lr must be a finite number/],
    [{ totalSteps: 10, warmupSteps: 11 }, /warmupSteps \(11\) exceeds totalSteps/],
    [{ totalSteps: 10, warmupRatio: 2 }, /warmupRatio must be a number in \[0, 1\], got 2/],
    [{ totalSteps: 10, schedule: 'step' as 'cosine' }, /schedule must be one of cosine \| linear \| constant, got "step"/],
    [{ totalSteps: 10, maxGradNorm: 0 }, /maxGradNorm must be a finite number > 0 or null, got 0/],
    [{ totalSteps: 10, onNonFinite: 'ignore' as 'skip' }, /onNonFinite must be one of error \| skip, got "ignore"/],
    [{ totalSteps: 10, adamw: { beta1: 1.5 } }, /adamw\.beta1 must be a number in \[0, 1\), got 1\.5/],
    [{ totalSteps: 10, saveFinal: 'yes' as unknown as boolean }, /saveFinal must be true or false, got "yes"/],
    [{ totalSteps: 10, lr_peak: 1 } as TrainerConfigInput, /lr_peak is not a known field/],
    [{ stages: [] }, /stages must be a non-empty array/],
    [{ stages: [{ steps: 5, warmupSteps: 6 }] }, /stages\[0\]\.warmupSteps \(6\) exceeds/],
    [{ stages: [{ steps: 5 }, { steps: 0 }] }, /stages\[1\]\.steps must be an integer ≥ 1/],
    [{ totalSteps: 9, stages: [{ steps: 5 }, { steps: 5 }] }, /totalSteps \(9\) differs from the sum of stage steps \(10\)/],
  ] as [TrainerConfigInput, RegExp][])('rejects %j', (input, re) => expectInvalid(input, re));
});

import { describe, expect, it } from 'vitest';
import { lrAt, stageAt } from './schedule.js';

const close = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThan(1e-15);

describe('lrAt', () => {
  const cos = { peakLr: 1e-3, warmupSteps: 10, totalSteps: 110 };

  it('warms up linearly from 0 and reaches the peak at step W', () => {
    expect(lrAt(0, cos)).toBe(0);
    close(lrAt(1, cos), 1e-4);
    close(lrAt(5, cos), 5e-4);
    close(lrAt(10, cos), 1e-3);
  });

  it('decays along a half cosine to 0 at totalSteps and stays there', () => {
    close(lrAt(35, cos), 1e-3 * 0.5 * (1 + Math.cos(Math.PI / 4))); // p = 0.25 → 8.5355e-4
    close(lrAt(35, cos), 8.535533905932737e-4);
    close(lrAt(60, cos), 5e-4); // p = 0.5
    close(lrAt(110, cos), 0);
    close(lrAt(500, cos), 0);
  });

  it('respects minLrRatio, linear and constant kinds', () => {
    close(lrAt(60, { ...cos, minLrRatio: 0.1 }), 1e-4 + 0.9e-3 * 0.5);
    close(lrAt(110, { ...cos, minLrRatio: 0.1 }), 1e-4);
    close(lrAt(35, { ...cos, kind: 'linear' }), 7.5e-4);
    close(lrAt(85, { ...cos, kind: 'linear', minLrRatio: 0.2 }), 2e-4 + 8e-4 * 0.25);
    expect(lrAt(3, { ...cos, kind: 'constant' })).toBeCloseTo(3e-4, 15);
    expect(lrAt(100, { ...cos, kind: 'constant' })).toBe(1e-3);
    expect(lrAt(0, { ...cos, warmupSteps: 0 })).toBe(1e-3);
  });

  it('rejects invalid schedules and steps', () => {
    expect(() => lrAt(-1, cos)).toThrow(/step must be a non-negative integer/);
    expect(() => lrAt(1.5, cos)).toThrow(/step/);
    expect(() => lrAt(0, { ...cos, warmupSteps: 200 })).toThrow(/warmupSteps must be an integer in \[0, 110\]/);
    expect(() => lrAt(0, { ...cos, minLrRatio: 2 })).toThrow(/minLrRatio/);
    expect(() => lrAt(0, { ...cos, peakLr: Number.NaN })).toThrow(/peakLr/);
    expect(() => lrAt(0, { stages: [] })).toThrow(/stages is empty/);
  });
});

describe('staged schedule (LIVR restart per stage)', () => {
  const staged = {
    stages: [
      { name: 'bottleneck', steps: 500, peakLr: 1e-4, warmupSteps: 25 },
      { name: 'standard', steps: 750, peakLr: 5e-5, warmupSteps: 38, kind: 'linear' as const },
    ],
  };

  it('locates stages', () => {
    expect(stageAt(0, staged)).toEqual({ index: 0, start: 0, localStep: 0 });
    expect(stageAt(499, staged)).toEqual({ index: 0, start: 0, localStep: 499 });
    expect(stageAt(500, staged)).toEqual({ index: 1, start: 500, localStep: 0 });
    expect(stageAt(2000, staged)).toEqual({ index: 1, start: 500, localStep: 1500 });
  });

  it('restarts warmup and decay at each boundary', () => {
    close(lrAt(25, staged), 1e-4);
    close(lrAt(262, staged), 1e-4 * 0.5 * (1 + Math.cos((Math.PI * 237) / 475)));
    expect(lrAt(499, staged)).toBeLessThan(1e-8);
    expect(lrAt(500, staged)).toBe(0); // warmup restarts from 0
    close(lrAt(519, staged), (5e-5 * 19) / 38);
    close(lrAt(538, staged), 5e-5);
    close(lrAt(538 + 356, staged), 2.5e-5); // linear, half way through 712 decay steps
    close(lrAt(1250, staged), 0);
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_REWARDS, resolveRewards, scoreRewards } from './combine.js';
import type { RewardFn } from './types.js';

const ctx = { step: 0, logMetric: () => {}, logExtra: () => {} };
const samples = [{ id: 'q', solution: '<answer>4</answer>' }, { id: 'q', solution: '<answer>4</answer>' }, { id: 'q', solution: '<answer>4</answer>' }];
const completions = ['<|lvr_start|><|lvr_end|>\n<answer>4</answer>', '<answer>4</answer>', 'no'];

describe('reward combination', () => {
  it('default: accuracy + format with weight 1 → r ∈ {0, 1, 2}', () => {
    const s = scoreRewards({ completions, samples }, resolveRewards(DEFAULT_REWARDS), ctx);
    expect(Array.from(s.total)).toEqual([2, 1, 0]);
    expect(s.perFn.map((f) => f.name)).toEqual(['accuracy', 'format']);
  });

  it('user functions with weights; null adds nothing', () => {
    const long: RewardFn = (b) => b.completions.map((c) => (c === 'no' ? null : c.length > 20 ? 1 : 0));
    const s = scoreRewards({ completions, samples }, resolveRewards([{ name: 'accuracy', weight: 2 }, { name: 'long', weight: 0.5, fn: long }]), ctx);
    expect(Array.from(s.total)).toEqual([2.5, 2, 0]);
    expect(s.perFn[1]!.values).toEqual([1, 0, null]);
  });

  it('validation: unknown names, duplicates, clashes with built-ins, bad weights, bad outputs', () => {
    expect(() => resolveRewards([])).toThrow(/non-empty/);
    expect(() => resolveRewards([{ name: 'acc' }])).toThrow(/unknown reward "acc"/);
    expect(() => resolveRewards([{ name: 'format' }, { name: 'format' }])).toThrow(/used twice/);
    expect(() => resolveRewards([{ name: 'format', fn: () => [] }])).toThrow(/built-in/);
    expect(() => resolveRewards([{ name: 'format', weight: Number.NaN }])).toThrow(/weight/);
    const short = resolveRewards([{ name: 'bad', fn: () => [1] }]);
    expect(() => scoreRewards({ completions, samples }, short, ctx)).toThrow(/returned 1 values for 3/);
    const nan = resolveRewards([{ name: 'bad', fn: () => [1, Number.NaN, 0] }]);
    expect(() => scoreRewards({ completions, samples }, nan, ctx)).toThrow(/NaN for completion 1/);
  });
});

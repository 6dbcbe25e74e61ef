import { describe, expect, it } from 'vitest';
import { groupAdvantages, unbiasedStd } from './advantages.js';

describe('group advantages', () => {
  it('scaled: (r − mean) / (unbiased std + 1e-4) within each consecutive group', () => {
    const a = groupAdvantages([1, 0, 2, 1, 2, 2, 2, 2], 4, 'group');
    // group 1: mean 1, std √(2/3) = 0.8164966 → ±1 / 0.8165966 = ±1.2245949; group 2: all equal → 0
    const expected = [0, -1.2245948898, 1.2245948898, 0, 0, 0, 0, 0];
    expected.forEach((v, i) => expect(a[i]).toBeCloseTo(v, 6));
  });

  it('unscaled: r − mean', () => {
    expect(Array.from(groupAdvantages([3, 1, 0, 0], 2, 'none'))).toEqual([1, -1, 0, 0]);
  });

  it('the std is unbiased (N − 1), like torch.std', () => {
    expect(unbiasedStd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
  });

  it('rejects partial groups and non-finite rewards', () => {
    expect(() => groupAdvantages([1, 2, 3], 2)).toThrow(/not whole groups of 2/);
    expect(() => groupAdvantages([1, Number.NaN], 2)).toThrow(/row 1/);
  });
});

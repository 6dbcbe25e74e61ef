import { LvrError } from '@lvr/core';

/** How rewards become advantages within a group: `group` divides by the group's std, `none` only centres. */
export type ScaleRewards = 'group' | 'none';

/**
 * Turns the rewards of one group (its G completions) into their advantages. Pure; `out` has the group's length.
 */
export type AdvantageFn = (groupRewards: readonly number[]) => number[];

/** The additive guard of the std division (reference and TRL). */
export const ADVANTAGE_EPS = 1e-4;

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Unbiased (N − 1) standard deviation, as `torch.std`; 0 for a single value. */
export function unbiasedStd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}

/**
 * The advantage functions by `scaleRewards` (no string dispatch elsewhere):
 * - `group` (default, the reference / GRPO): `A = (r − mean_g) / (std_g + 1e-4)`, std unbiased;
 * - `none` (Dr. GRPO's unscaled variant): `A = r − mean_g`.
 */
export const ADVANTAGE_FNS: Readonly<Record<ScaleRewards, AdvantageFn>> = Object.freeze({
  group: (r) => {
    const m = mean(r);
    const d = unbiasedStd(r) + ADVANTAGE_EPS;
    return r.map((x) => (x - m) / d);
  },
  none: (r) => {
    const m = mean(r);
    return r.map((x) => x - m);
  },
});

/**
 * Group advantages of a rollout batch whose rows come in consecutive groups of `groupSize` (the G completions
 * of one prompt). Returns one advantage per row.
 *
 * @example
 * groupAdvantages([1, 0, 2, 1], 4, 'group'); // [0, -1.2245, 1.2245, 0] = (r − 1) / (√(2/3) + 1e-4)
 * groupAdvantages([1, 0, 2, 1], 4, 'none');  // [0, -1, 1, 0]
 */
export function groupAdvantages(rewards: ArrayLike<number>, groupSize: number, scale: ScaleRewards = 'group'): Float32Array {
  if (!Number.isInteger(groupSize) || groupSize < 1) {
    throw new LvrError('INVALID_ARGUMENT', `groupAdvantages: groupSize must be a positive integer, got ${groupSize}`);
  }
  if (rewards.length % groupSize !== 0) {
    throw new LvrError('SHAPE_MISMATCH', `groupAdvantages: ${rewards.length} rewards are not whole groups of ${groupSize}`);
  }
  const fn = ADVANTAGE_FNS[scale];
  if (fn === undefined) throw new LvrError('INVALID_ARGUMENT', `groupAdvantages: scale must be 'group' or 'none', got ${String(scale)}`);
  const out = new Float32Array(rewards.length);
  for (let g = 0; g < rewards.length; g += groupSize) {
    const group: number[] = [];
    for (let i = 0; i < groupSize; i++) {
      const r = rewards[g + i] as number;
      if (!Number.isFinite(r)) throw new LvrError('NUMERIC', `groupAdvantages: reward of row ${g + i} is ${r}`, { details: { row: g + i } });
      group.push(r);
    }
    out.set(fn(group), g);
  }
  return out;
}

import { LvrError } from '@lvr/core';
import { accuracyReward, choiceReward } from './accuracy.js';
import { formatReward, lenientFormatReward } from './format.js';
import type { ResolvedReward, RewardBatch, RewardContext, RewardFn, RewardSpec } from './types.js';

/**
 * The built-in rewards by name: `accuracy` (answer-tag exact match, reference), `format` (strict reference
 * regex), `format-lenient` (contains both LVR tokens), `choice` (multiple-choice letter, default extractor).
 */
export const BUILTIN_REWARDS: Readonly<Record<string, RewardFn>> = Object.freeze({
  accuracy: accuracyReward,
  format: formatReward,
  'format-lenient': lenientFormatReward,
  choice: choiceReward(),
});

/** The reference's reward list (`[accuracy_reward, format_reward]`, weight 1 each; r ∈ {0, 1, 2}). */
export const DEFAULT_REWARDS: readonly RewardSpec[] = Object.freeze([
  Object.freeze({ name: 'accuracy', weight: 1 }),
  Object.freeze({ name: 'format', weight: 1 }),
]);

function invalid(message: string, details: Record<string, unknown>): never {
  throw new LvrError('CONFIG_INVALID', `grpo config: ${message}`, { details });
}

/**
 * Resolves reward specs: built-ins by name, user functions under their own (unique, non-built-in) names; weights
 * default to 1 and must be finite. At least one reward is required.
 *
 * @example
 * resolveRewards([{ name: 'accuracy' }, { name: 'short', weight: 0.1, fn: (b) => b.completions.map((c) => (c.length < 50 ? 1 : 0)) }]);
 */
export function resolveRewards(specs: readonly RewardSpec[]): ResolvedReward[] {
  if (!Array.isArray(specs) || specs.length === 0) invalid('rewards must be a non-empty list', { field: 'rewards' });
  const seen = new Set<string>();
  return specs.map((s, k) => {
    const field = `rewards[${k}]`;
    if (typeof s?.name !== 'string' || s.name.length === 0) invalid(`${field}.name must be a non-empty string`, { field });
    if (seen.has(s.name)) invalid(`${field}: reward name "${s.name}" is used twice`, { field });
    seen.add(s.name);
    const weight = s.weight ?? 1;
    if (typeof weight !== 'number' || !Number.isFinite(weight)) invalid(`${field}.weight must be a finite number, got ${String(weight)}`, { field });
    if (s.fn !== undefined) {
      if (typeof s.fn !== 'function') invalid(`${field}.fn must be a function`, { field });
      if (s.name in BUILTIN_REWARDS) {
        invalid(`${field}: "${s.name}" is a built-in reward; give your function another name`, { field });
      }
      return Object.freeze({ name: s.name, weight, fn: s.fn, builtin: false });
    }
    const fn = BUILTIN_REWARDS[s.name];
    if (fn === undefined) {
      invalid(`${field}: unknown reward "${s.name}" (built-ins: ${Object.keys(BUILTIN_REWARDS).join(', ')}; ` +
        'pass fn for your own)', { field });
    }
    return Object.freeze({ name: s.name, weight, fn, builtin: true });
  });
}

/** The values of every reward function and the weighted totals of one batch. */
export interface RewardScores {
  /** One entry per reward, in config order. */
  readonly perFn: readonly { readonly name: string; readonly weight: number; readonly values: readonly (number | null)[] }[];
  /** Σ weight · value over the non-null values of each row (0 when all are null). */
  readonly total: Float64Array;
}

/**
 * Runs every reward on the batch and sums the weighted values per row. A function that returns the wrong number
 * of values or a non-finite value fails with `LvrError('NUMERIC')` naming the reward and the row.
 *
 * @example
 * const { total } = scoreRewards(batch, resolveRewards(DEFAULT_REWARDS), ctx); // total[i] ∈ {0, 1, 2}
 */
export function scoreRewards(batch: RewardBatch, rewards: readonly ResolvedReward[], ctx: RewardContext): RewardScores {
  const n = batch.completions.length;
  if (batch.samples.length !== n) {
    throw new LvrError('SHAPE_MISMATCH', `rewards: ${n} completions but ${batch.samples.length} samples`);
  }
  const total = new Float64Array(n);
  const perFn = rewards.map((r) => {
    const values = r.fn(batch, ctx);
    if (!Array.isArray(values) || values.length !== n) {
      throw new LvrError('NUMERIC', `reward "${r.name}" returned ${Array.isArray(values) ? values.length : typeof values} values for ${n} completions`, {
        details: { reward: r.name },
      });
    }
    values.forEach((v, i) => {
      if (v === null) return;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new LvrError('NUMERIC', `reward "${r.name}" returned ${String(v)} for completion ${i} (expected a finite number or null)`, {
          details: { reward: r.name, row: i },
        });
      }
      total[i] = (total[i] as number) + r.weight * v;
    });
    return { name: r.name, weight: r.weight, values: [...values] };
  });
  return { perFn, total };
}

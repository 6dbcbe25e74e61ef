import { LvrError } from '@lvr/core';
import { groupAdvantages } from './advantages.js';
import type { GrpoConfig } from './config.js';
import { completionMask } from './mask.js';
import { rolloutMetrics } from './metrics.js';
import { completionText, type CompletionDecoder } from './rollout.js';
import type { RolloutBatch } from './rollout.js';
import { scoreRewards, type RewardScores } from './rewards/combine.js';
import type { RewardContext } from './rewards/types.js';

/** Token ids the scoring needs (from the model or tokenizer). */
export interface ScoringTokenIds {
  readonly lvrStartId: number;
  readonly lvrId: number;
  readonly lvrEndId: number;
  readonly padId: number;
  readonly eosIds: readonly number[];
}

/** A rollout batch with everything the loss needs that does not depend on the weights. */
export interface ScoredRollout {
  readonly batch: RolloutBatch;
  /** Decoded completion per row (what the rewards saw). */
  readonly completions: readonly string[];
  readonly rewards: RewardScores;
  /** (B) advantage per row. */
  readonly advantages: Float32Array;
  /** Per row, one entry per generated position: 1 = carries gradient (config.maskRule). */
  readonly masks: readonly Uint8Array[];
  /** `reward/*`, `latent/*`, `completion/*` metrics plus whatever rewards logged through `logMetric`. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Per-completion values rewards attached through `logExtra`. */
  readonly extras: Readonly<Record<string, readonly (string | number | null)[]>>;
}

/** Options of {@link scoreRollouts}. */
export interface ScoreOptions {
  readonly decoder: CompletionDecoder;
  readonly ids: ScoringTokenIds;
  /** 0-based optimizer step (passed to rewards). */
  readonly step: number;
}

/**
 * Scores a rollout batch: decodes each completion, runs the rewards, computes group advantages
 * (config.scaleRewards), the gradient masks (config.maskRule) and the rollout metrics.
 *
 * @example
 * const scored = scoreRollouts(batch, config, { decoder: tokenizer, ids, step: 0 });
 * scored.advantages; // (r − mean_g) / (std_g + 1e-4) per row
 */
export function scoreRollouts(batch: RolloutBatch, config: Readonly<GrpoConfig>, o: ScoreOptions): ScoredRollout {
  const g = batch.groupSize;
  const n = batch.traces.length;
  if (n !== batch.prompts.length * g) {
    throw new LvrError('SHAPE_MISMATCH', `scoreRollouts: ${n} traces for ${batch.prompts.length} prompts × ${g}`);
  }
  const completions = batch.traces.map((t) => completionText(t, o.decoder, o.ids));
  const samples = batch.traces.map((_, i) => (batch.prompts[Math.floor(i / g)] as RolloutBatch['prompts'][number]).sample);
  const logged: Record<string, number> = {};
  const extras: Record<string, readonly (string | number | null)[]> = {};
  const ctx: RewardContext = {
    step: o.step,
    logMetric: (name, value) => { logged[name] = value; },
    logExtra: (name, values) => {
      if (values.length !== n) throw new LvrError('INVALID_ARGUMENT', `logExtra("${name}"): ${values.length} values for ${n} completions`);
      extras[name] = [...values];
    },
  };
  const rewards = scoreRewards({ completions, samples, traces: batch.traces }, config.rewards, ctx);
  const advantages = groupAdvantages(rewards.total, g, config.scaleRewards);
  const maskIds = { lvrStartId: o.ids.lvrStartId, lvrEndId: o.ids.lvrEndId, eosIds: o.ids.eosIds };
  const masks = batch.traces.map((t) => completionMask(t, config.maskRule, maskIds));
  const metrics = { ...rolloutMetrics(batch, rewards, masks), ...logged };
  return { batch, completions, rewards, advantages, masks, metrics, extras };
}

/**
 * Right-pads per-row arrays to a (B, C) row-major grid (C = `length`, default the longest row).
 *
 * @example
 * padRows([[1, 2], [3]]); // { values: Float32Array [1, 2, 3, 0], batch: 2, length: 2 }
 */
export function padRows(rows: readonly ArrayLike<number>[], length?: number, fill = 0): { values: Float32Array; batch: number; length: number } {
  const c = length ?? Math.max(0, ...rows.map((r) => r.length));
  const out = new Float32Array(rows.length * c).fill(fill);
  rows.forEach((r, i) => {
    if (r.length > c) throw new LvrError('SHAPE_MISMATCH', `padRows: row ${i} has ${r.length} values, more than the length ${c}`);
    for (let j = 0; j < r.length; j++) out[i * c + j] = r[j] as number;
  });
  return { values: out, batch: rows.length, length: c };
}

/**
 * The replay invariant's statistic: max |replayed − recorded| log-prob over every completion token of every row.
 * `replayed` is the (B, C) grid of a replay with the rollout weights; recorded values come from the traces.
 *
 * @example
 * maxAbsLogpDiff(batch.traces, replayed.values, replayed.length); // ≤ 1e-4 when the replay is exact
 */
export function maxAbsLogpDiff(traces: readonly { readonly logprobs: readonly number[] }[], replayed: ArrayLike<number>, length: number): number {
  if (replayed.length !== traces.length * length) {
    throw new LvrError('SHAPE_MISMATCH', `maxAbsLogpDiff: ${replayed.length} replayed values for ${traces.length} rows × ${length}`);
  }
  let m = 0;
  traces.forEach((t, i) => {
    if (t.logprobs.length > length) throw new LvrError('SHAPE_MISMATCH', `maxAbsLogpDiff: row ${i} has ${t.logprobs.length} tokens, the grid ${length}`);
    t.logprobs.forEach((lp, j) => {
      const d = Math.abs((replayed[i * length + j] as number) - lp);
      m = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(m, d);
    });
  });
  return m;
}

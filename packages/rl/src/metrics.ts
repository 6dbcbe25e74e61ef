import { unbiasedStd } from './advantages.js';
import type { RolloutBatch } from './rollout.js';
import type { RewardScores } from './rewards/combine.js';

/**
 * Every metric GRPO_latent writes to `metrics.jsonl` next to the trainer's own (`loss`, `lr`, `grad_norm`, …),
 * one record per optimizer step. Values describe the rollout batch the step trained on (with μ > 1 the same batch
 * for μ consecutive steps), except `kl`, `clip_ratio*` and `ratio/mean`, which come from the step's loss.
 */
export const GRPO_METRICS = Object.freeze({
  'reward/mean': 'mean total (weighted) reward over the rollout rows',
  'reward/std': 'mean over groups of the unbiased std of the total reward within the group',
  'reward/<fn>/mean': 'mean of reward function <fn> over the rows where it applied (non-null)',
  'reward/frac_zero_std': 'fraction of groups whose G rewards are all equal (their advantages are 0)',
  kl: 'mean k3 KL(π_θ ‖ π_ref) over gradient-carrying tokens (absent when β = 0)',
  clip_ratio: 'fraction of gradient-carrying tokens whose gradient the ratio clip removed',
  'clip_ratio/low': '… of them with ratio < 1 − ε_low and a negative advantage',
  'clip_ratio/high': '… of them with ratio > 1 + ε_high and a positive advantage',
  'ratio/mean': 'mean importance ratio π_θ / π_old over gradient-carrying tokens (≡ 1 when μ = 1)',
  'latent/mean_steps': 'mean number of latent vectors fed per completion (all spans)',
  'latent/mean_spans': 'mean number of latent spans per completion',
  'completion/mean_length': 'mean generated positions per completion, latent ones included',
  'completion/eos_ratio': 'fraction of completions that ended with EOS (the rest hit maxNewTokens)',
  'completion/mean_mask_tokens': 'mean number of gradient-carrying tokens per completion',
  'replay/max_abs_logp_diff': 'max |replayed − sampled| log-prob over all completion tokens of the batch, measured ' +
    'with the rollout weights (the replay invariant: ≤ 1e-4)',
  iteration: 'index k of this step within the μ steps that share a rollout batch (0 = fresh rollouts)',
} as const);

/**
 * The reward, latent and completion metrics of a scored rollout batch (the `reward/*`, `latent/*` and
 * `completion/*` entries of {@link GRPO_METRICS}).
 *
 * @example
 * const m = rolloutMetrics(batch, scores, masks); // { 'reward/mean': 1.25, 'reward/accuracy/mean': 0.5, … }
 */
export function rolloutMetrics(batch: RolloutBatch, scores: RewardScores, masks: readonly Uint8Array[]): Record<string, number> {
  const n = batch.traces.length;
  const g = batch.groupSize;
  const m: Record<string, number> = {};
  const total = Array.from(scores.total);
  m['reward/mean'] = total.reduce((a, b) => a + b, 0) / n;
  let stdSum = 0;
  let zero = 0;
  for (let s = 0; s < n; s += g) {
    const grp = total.slice(s, s + g);
    stdSum += unbiasedStd(grp);
    if (grp.every((x) => x === grp[0])) zero++;
  }
  const groups = n / g;
  m['reward/std'] = stdSum / groups;
  m['reward/frac_zero_std'] = zero / groups;
  for (const f of scores.perFn) {
    const vals = f.values.filter((v): v is number => v !== null);
    if (vals.length > 0) m[`reward/${f.name}/mean`] = vals.reduce((a, b) => a + b, 0) / vals.length;
  }
  let steps = 0;
  let spans = 0;
  let len = 0;
  let eos = 0;
  let maskTokens = 0;
  batch.traces.forEach((t, i) => {
    for (const s of t.latentSpans) steps += s.steps;
    spans += t.latentSpans.length;
    len += t.outputIds.length;
    if (t.finishReason === 'eos') eos++;
    for (const v of masks[i] ?? []) maskTokens += v;
  });
  m['latent/mean_steps'] = steps / n;
  m['latent/mean_spans'] = spans / n;
  m['completion/mean_length'] = len / n;
  m['completion/eos_ratio'] = eos / n;
  m['completion/mean_mask_tokens'] = maskTokens / n;
  return m;
}

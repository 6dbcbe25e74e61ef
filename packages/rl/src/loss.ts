import { LvrError } from '@lvr/core';

/** How per-token losses are reduced to the scalar (TRL 0.17 names). */
export type LossType = 'bnpo' | 'grpo' | 'dr_grpo';

/**
 * Per-token weights of an aggregation: the loss is `Σ_t w_t · ℓ_t` over the (B, C) grid, so its gradient with
 * respect to token t is `w_t · ∂ℓ_t`. Masked tokens get weight 0.
 */
export type LossAggregation = (mask: ArrayLike<number>, batch: number, length: number, maxCompletionLength: number) => Float64Array;

/**
 * The aggregations by `lossType` (no string dispatch elsewhere):
 * - `bnpo` (default, TRL 0.17 / the reference): `Σ ℓ·m / max(1, Σ m)` over the whole micro-batch;
 * - `grpo`: per-sequence mean `Σ_t ℓ·m / max(1, Σ_t m)`, then the mean over sequences;
 * - `dr_grpo`: `Σ ℓ·m / (B · maxCompletionLength)` (no length normalisation).
 */
export const LOSS_AGGREGATIONS: Readonly<Record<LossType, LossAggregation>> = Object.freeze({
  bnpo: (mask, b, c) => {
    let n = 0;
    for (let i = 0; i < b * c; i++) n += mask[i] as number;
    const w = 1 / Math.max(1, n);
    return Float64Array.from({ length: b * c }, (_, i) => (mask[i] as number) * w);
  },
  grpo: (mask, b, c) => {
    const out = new Float64Array(b * c);
    for (let r = 0; r < b; r++) {
      let n = 0;
      for (let t = 0; t < c; t++) n += mask[r * c + t] as number;
      const w = 1 / (Math.max(1, n) * b);
      for (let t = 0; t < c; t++) out[r * c + t] = (mask[r * c + t] as number) * w;
    }
    return out;
  },
  dr_grpo: (mask, b, c, maxLen) => {
    const w = 1 / (b * maxLen);
    return Float64Array.from({ length: b * c }, (_, i) => (mask[i] as number) * w);
  },
});

/** Inputs of {@link grpoLoss}, all on the right-padded (B, C) grid of completion tokens. */
export interface GrpoLossInput {
  batch: number;
  length: number;
  /** (B·C) log π_θ(token) at temperature T (the values whose gradient is wanted). */
  logp: ArrayLike<number>;
  /** (B·C) log π_old (the rollout policy); equal to `logp` when μ = 1 (ratio ≡ 1). */
  oldLogp: ArrayLike<number>;
  /** (B·C) log π_ref; required when β > 0. */
  refLogp?: ArrayLike<number> | undefined;
  /** (B) advantage of each row. */
  advantages: ArrayLike<number>;
  /** (B·C) 1 = the token carries gradient (see `completionMask`), 0 = masked or padding. */
  mask: ArrayLike<number>;
}

/** The hyper-parameters the loss needs. */
export interface GrpoLossOptions {
  beta: number;
  epsilonLow: number;
  epsilonHigh: number;
  lossType: LossType;
  /** `dr_grpo`'s constant denominator (the rollouts' `maxNewTokens`). */
  maxCompletionLength: number;
}

/** The scalar loss, its gradient with respect to `logp`, and the statistics that are logged. */
export interface GrpoLossResult {
  loss: number;
  /** (B·C) ∂loss / ∂logp. */
  grad: Float64Array;
  /** Mean k3 KL over masked tokens (0 when β = 0). */
  kl: number;
  /** Fraction of masked tokens whose gradient the clip removed (low or high side). */
  clipRatio: number;
  /** … ratio < 1 − ε_low with A < 0. */
  clipLow: number;
  /** … ratio > 1 + ε_high with A > 0. */
  clipHigh: number;
  /** Mean importance ratio over masked tokens. */
  ratioMean: number;
  /** Number of masked (gradient-carrying) tokens. */
  tokens: number;
}

/**
 * GRPO's per-token loss and its aggregation, on plain arrays (lvr-reference.md §5.7):
 *
 * `ℓ_t = −min(ρ_t·A, clip(ρ_t, 1 − ε_low, 1 + ε_high)·A) + β·(exp(ref_t − x_t) − (ref_t − x_t) − 1)`, with
 * `x = logp`, `ρ = exp(x − old)` and the k3 KL estimator; reduced with {@link LOSS_AGGREGATIONS}. The gradient is
 * exact: `∂ℓ/∂x = −A·ρ` where the unclipped branch is active (0 where the clip holds the term constant) plus
 * `β·(1 − exp(ref − x))`. Used by the tfjs loss op (forward value and backward) and by the hand-computed tests.
 *
 * @example
 * const r = grpoLoss({ batch: 1, length: 2, logp: [-1, -2], oldLogp: [-1, -2], refLogp: [-1, -2], advantages: [0.5], mask: [1, 1] },
 *   { beta: 0.04, epsilonLow: 0.2, epsilonHigh: 0.2, lossType: 'bnpo', maxCompletionLength: 2 });
 * r.loss; // -0.5 (ρ = 1, KL = 0); r.grad = [-0.25, -0.25]
 */
export function grpoLoss(input: GrpoLossInput, o: GrpoLossOptions): GrpoLossResult {
  const { batch: b, length: c } = input;
  const n = b * c;
  for (const [name, arr, len] of [['logp', input.logp, n], ['oldLogp', input.oldLogp, n], ['mask', input.mask, n], ['advantages', input.advantages, b]] as const) {
    if (arr.length !== len) throw new LvrError('SHAPE_MISMATCH', `grpoLoss: ${name} has ${arr.length} values, expected ${len}`);
  }
  const useRef = o.beta !== 0;
  if (useRef && (input.refLogp === undefined || input.refLogp.length !== n)) {
    throw new LvrError('SHAPE_MISMATCH', `grpoLoss: β = ${o.beta} needs refLogp with ${n} values`);
  }
  const aggregate = LOSS_AGGREGATIONS[o.lossType];
  if (aggregate === undefined) throw new LvrError('INVALID_ARGUMENT', `grpoLoss: unknown lossType ${String(o.lossType)}`);
  const w = aggregate(input.mask, b, c, o.maxCompletionLength);
  const grad = new Float64Array(n);
  let loss = 0;
  let tokens = 0;
  let klSum = 0;
  let low = 0;
  let high = 0;
  let ratioSum = 0;
  for (let r = 0; r < b; r++) {
    const a = input.advantages[r] as number;
    for (let t = 0; t < c; t++) {
      const i = r * c + t;
      if ((input.mask[i] as number) === 0) continue;
      const x = input.logp[i] as number;
      const ratio = Math.exp(x - (input.oldLogp[i] as number));
      const clipped = Math.min(Math.max(ratio, 1 - o.epsilonLow), 1 + o.epsilonHigh);
      const l1 = ratio * a;
      const l2 = clipped * a;
      let lt = -Math.min(l1, l2);
      let gt = l1 <= l2 ? -a * ratio : 0; // equal branches: ρ inside the clip range (or A = 0)
      if (useRef) {
        const d = (input.refLogp![i] as number) - x;
        const ed = Math.exp(d);
        const kl = ed - d - 1;
        lt += o.beta * kl;
        gt += o.beta * (1 - ed);
        klSum += kl;
      }
      if (!Number.isFinite(lt)) {
        throw new LvrError('NUMERIC', `grpoLoss: non-finite loss at row ${r}, token ${t} (logp ${x}, old ${input.oldLogp[i]}, ` +
          `ref ${useRef ? input.refLogp![i] : 'n/a'}, advantage ${a})`, { details: { row: r, token: t } });
      }
      const wi = w[i] as number;
      loss += wi * lt;
      grad[i] = wi * gt;
      tokens++;
      ratioSum += ratio;
      if (ratio < 1 - o.epsilonLow && a < 0) low++;
      if (ratio > 1 + o.epsilonHigh && a > 0) high++;
    }
  }
  const per = (x: number): number => (tokens > 0 ? x / tokens : 0);
  return { loss, grad, kl: per(klSum), clipRatio: per(low + high), clipLow: per(low), clipHigh: per(high), ratioMean: tokens > 0 ? ratioSum / tokens : 1, tokens };
}

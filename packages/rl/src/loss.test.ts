import { describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { grpoLoss, LOSS_AGGREGATIONS, type GrpoLossInput, type GrpoLossOptions } from './loss.js';

const opts = (over: Partial<GrpoLossOptions> = {}): GrpoLossOptions => ({
  beta: 0.04, epsilonLow: 0.2, epsilonHigh: 0.2, lossType: 'bnpo', maxCompletionLength: 4, ...over,
});

// Two rows, three completion tokens; row 1's last token is padding. μ = 1 (old = logp, ratio ≡ 1).
// Hand-computed per-token losses ℓ = −A + 0.04·(e^d − d − 1), d = ref − logp:
//   row 0 (A = 0.5):  d = −0.2 → −0.4992507699;  d = 0 → −0.5;  d = 0.2 → −0.4991438897
//   row 1 (A = −1):   d = 0 → 1;  d = −0.3 → 1.0016327288
const onPolicy: GrpoLossInput = {
  batch: 2, length: 3,
  logp: [-1, -2, -0.5, -1.5, -0.7, 0],
  oldLogp: [-1, -2, -0.5, -1.5, -0.7, 0],
  refLogp: [-1.2, -2, -0.3, -1.5, -1.0, 0],
  advantages: [0.5, -1],
  mask: [1, 1, 1, 1, 1, 0],
};

describe('grpoLoss (hand-computed)', () => {
  it('bnpo: Σ ℓ·m / Σ m, its gradient and the mean k3 KL', () => {
    const r = grpoLoss(onPolicy, opts());
    expect(r.loss).toBeCloseTo(0.5032380692 / 5, 9); // 0.1006476138
    expect(r.kl).toBeCloseTo((0.0187307531 + 0.0214027582 + 0.0408182207) / 5, 9);
    expect(r.tokens).toBe(5);
    expect(r.ratioMean).toBe(1);
    expect(r.clipRatio).toBe(0);
    // ∂ℓ/∂x = −A·ρ + β·(1 − e^d), weighted by 1/5
    const expected = [-0.0985498460, -0.1, -0.1017712221, 0.2, 0.2020734542, 0];
    expected.forEach((g, i) => expect(r.grad[i]).toBeCloseTo(g, 9));
  });

  it('grpo averages per sequence first; dr_grpo divides by B · maxCompletionLength', () => {
    expect(grpoLoss(onPolicy, opts({ lossType: 'grpo' })).loss).toBeCloseTo(0.2506757389, 9);
    expect(grpoLoss(onPolicy, opts({ lossType: 'dr_grpo' })).loss).toBeCloseTo(0.0629047587, 9);
    // dr_grpo's gradient weight is 1 / (2·4) for every masked token
    expect(grpoLoss(onPolicy, opts({ lossType: 'dr_grpo' })).grad[3]).toBeCloseTo(1 / 8, 12);
  });

  it('β = 0 drops the KL term and needs no reference log-probs', () => {
    const { refLogp: _, ...noRef } = onPolicy;
    const r = grpoLoss(noRef, opts({ beta: 0 }));
    expect(r.loss).toBeCloseTo((-0.5 * 3 + 1 * 2) / 5, 12);
    expect(r.kl).toBe(0);
    expect(() => grpoLoss(noRef, opts())).toThrow(/refLogp/);
  });

  it('clipping: ratio 1.5 with A > 0 and ratio 0.5 with A < 0 are held constant; the other side is not', () => {
    const l = Math.log;
    const r = grpoLoss({
      batch: 2, length: 3,
      logp: [l(1.5), l(0.5), l(1.1), l(0.5), l(1.5), 0],
      oldLogp: [0, 0, 0, 0, 0, 0],
      advantages: [1, -1],
      mask: [1, 1, 1, 1, 1, 1],
    }, opts({ beta: 0 }));
    // ℓ: row 0 → −1.2 (clipped), −0.5, −1.1; row 1 → 0.8 (clipped), 1.5, 1
    expect(r.loss).toBeCloseTo((-1.2 - 0.5 - 1.1 + 0.8 + 1.5 + 1) / 6, 12);
    const g = [0, -0.5 / 6, -1.1 / 6, 0, 1.5 / 6, 1 / 6];
    g.forEach((v, i) => expect(r.grad[i]).toBeCloseTo(v, 12));
    expect(r.clipHigh).toBeCloseTo(1 / 6, 12);
    expect(r.clipLow).toBeCloseTo(1 / 6, 12);
    expect(r.clipRatio).toBeCloseTo(2 / 6, 12);
    expect(r.ratioMean).toBeCloseTo(6.1 / 6, 12);
  });

  it('the analytic gradient matches central finite differences (every aggregation, β > 0, off-policy)', () => {
    const rng = new Rng(7);
    const b = 3, c = 5;
    const input: GrpoLossInput = {
      batch: b, length: c,
      logp: Array.from({ length: b * c }, () => -rng.uniform(0.1, 3)),
      oldLogp: Array.from({ length: b * c }, () => -rng.uniform(0.1, 3)),
      refLogp: Array.from({ length: b * c }, () => -rng.uniform(0.1, 3)),
      advantages: [0.7, -1.3, 0.2],
      mask: Array.from({ length: b * c }, (_, i) => (i % 4 === 3 ? 0 : 1)),
    };
    for (const lossType of Object.keys(LOSS_AGGREGATIONS) as (keyof typeof LOSS_AGGREGATIONS)[]) {
      const o = opts({ lossType, epsilonLow: 0.5, epsilonHigh: 0.5 });
      const base = grpoLoss(input, o);
      for (let i = 0; i < b * c; i++) {
        const h = 1e-6;
        const plus = Array.from(input.logp); plus[i] = (plus[i] as number) + h;
        const minus = Array.from(input.logp); minus[i] = (minus[i] as number) - h;
        const fd = (grpoLoss({ ...input, logp: plus }, o).loss - grpoLoss({ ...input, logp: minus }, o).loss) / (2 * h);
        expect(Math.abs(fd - (base.grad[i] as number))).toBeLessThan(1e-7);
      }
    }
  });

  it('rejects mismatched shapes and reports non-finite losses', () => {
    expect(() => grpoLoss({ ...onPolicy, mask: [1, 1] }, opts())).toThrow(/mask has 2 values, expected 6/);
    expect(() => grpoLoss({ ...onPolicy, advantages: [Number.NaN, 1] }, opts())).toThrow(/non-finite loss at row 0, token 0/);
  });
});

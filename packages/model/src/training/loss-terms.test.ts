import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { resolveObjective } from './objectives.js';
import { LOSS_TERMS, hopWeight, sumLossTerms, type LossInputs, type LossTerm } from './loss-terms.js';

const term = (name: string, value: number, weight: number, active = true): LossTerm => ({
  name, active: () => active, weight: () => weight, compute: () => ({ loss: tf.scalar(value), metrics: { [`${name}/extra`]: tf.scalar(value * 10) } }),
});
const inputs = {} as LossInputs; // the fake terms read nothing

describe('sumLossTerms', () => {
  beforeAll(async () => { await initBackend(); });

  it('adds weight × term over the active terms, logs weight-0 terms without adding them, skips inactive ones', () => {
    const out = tf.tidy(() => {
      const r = sumLossTerms(inputs, [term('a', 2, 1), term('b', 5, 0), term('c', 4, 0.5), term('d', 100, 1, false)]);
      return { loss: r.loss.dataSync()[0], metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [k, v.dataSync()[0]])) };
    });
    expect(out.loss).toBeCloseTo(2 + 0.5 * 4, 6);
    expect(out.metrics).toEqual({ 'loss/a': 2, 'a/extra': 20, 'loss/b': 5, 'b/extra': 50, 'loss/c': 4, 'c/extra': 40 });
  });

  it('a new objective is one more entry: the default list is CE, LVR, pointer, hop, latent end, mode switch', () => {
    expect(LOSS_TERMS.map((t) => t.name)).toEqual(['ce', 'lvr', 'pointer', 'hop', 'latent_end', 'mode_switch']);
    const out = tf.tidy(() => sumLossTerms(inputs, [term('a', 1, 1), term('extra', 3, 2)]).loss.dataSync()[0]);
    expect(out).toBeCloseTo(7, 6);
  });

  it('the hop weight follows the ramp', () => {
    const o = resolveObjective({ kind: 'lvr', latentFeedback: 'pointer-argmax', lvrLambda: 0, hopLambda: 1, hopRamp: [0.3, 0.5] });
    expect([0, 0.29, 0.4, 0.5, 1].map((p) => hopWeight(o, p))).toEqual([0, 0, expect.closeTo(0.5, 9), 1, 1]);
    expect(hopWeight(o, undefined)).toBe(1);
  });
});

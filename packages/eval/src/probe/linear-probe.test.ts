import { describe, expect, it } from 'vitest';
import { LvrError, Rng } from '@lvr/core';
import { fitLinearProbe, probeAccuracy, probePredict } from './linear-probe.js';

/** n rows of dim `dim`: label-dependent class means on a random subspace plus noise (linearly decodable). */
function decodable(rng: Rng, n: number, dim: number, k: number, signal: number, meanSeed = 0): { x: Float32Array; y: Int32Array } {
  const meanRng = new Rng(meanSeed);
  const means = Array.from({ length: k }, () => Array.from({ length: dim }, () => meanRng.normal() * signal));
  const x = new Float32Array(n * dim);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(k);
    // A shared large offset, like the background component every visual token carries.
    for (let d = 0; d < dim; d++) x[i * dim + d] = 5 + means[y[i]!]![d]! + rng.normal() * 0.3;
  }
  return { x, y };
}

describe('fitLinearProbe', () => {
  it('decodes a linearly decodable 8-class label almost perfectly on held-out rows', () => {
    // The same class means, other rows and noise.
    const train = decodable(new Rng(1), 800, 16, 8, 1);
    const test = decodable(new Rng(11), 800, 16, 8, 1);
    const probe = fitLinearProbe(train.x, 16, train.y, 8);
    expect(probeAccuracy(probe, train.x, train.y)).toBeGreaterThan(0.98);
    expect(probeAccuracy(probe, test.x, test.y)).toBeGreaterThan(0.98);
  });

  it('scores ≈ chance on noise features with random labels', () => {
    const rng = new Rng(2);
    const n = 1200;
    const x = Float32Array.from({ length: n * 16 }, () => rng.normal());
    const y = Int32Array.from({ length: n }, () => rng.int(4));
    const xt = Float32Array.from({ length: n * 16 }, () => rng.normal());
    const yt = Int32Array.from({ length: n }, () => rng.int(4));
    const acc = probeAccuracy(fitLinearProbe(x, 16, y, 4), xt, yt);
    expect(acc).toBeGreaterThan(0.18);
    expect(acc).toBeLessThan(0.32);
  });

  it('separates classes that least squares would mask (three collinear class means)', () => {
    // 1-D feature, classes at -1, 0, +1: softmax separates the middle class, one-vs-rest least squares cannot.
    const rng = new Rng(3);
    const n = 600;
    const y = Int32Array.from({ length: n }, () => rng.int(3));
    const x = Float32Array.from(y, (c) => (c - 1) * 2 + rng.normal() * 0.1);
    const probe = fitLinearProbe(x, 1, y, 3, { iterations: 600 });
    expect(probeAccuracy(probe, x, y)).toBeGreaterThan(0.97);
  });

  it('decodes ill-conditioned features (a huge shared direction, like trained visual tokens) thanks to whitening', () => {
    const { x, y } = decodable(new Rng(5), 800, 16, 8, 1, 1);
    const test = decodable(new Rng(15), 800, 16, 8, 1, 1);
    for (const set of [x, test.x]) {
      for (let i = 0; i < 800; i++) {
        const common = new Rng(i + (set === x ? 0 : 10_000)).normal() * 1000;
        for (let d = 0; d < 16; d++) set[i * 16 + d]! += common * (1 + d / 16);
      }
    }
    expect(probeAccuracy(fitLinearProbe(x, 16, y, 8), test.x, test.y)).toBeGreaterThan(0.9);
  });

  it('is deterministic and rejects bad input with LvrError', () => {
    const { x, y } = decodable(new Rng(4), 100, 4, 3, 1);
    expect(probePredict(fitLinearProbe(x, 4, y, 3), x)).toEqual(probePredict(fitLinearProbe(x, 4, y, 3), x));
    expect(() => fitLinearProbe(x, 5, y, 3)).toThrow(LvrError);
    expect(() => fitLinearProbe(x, 4, Int32Array.from(y, () => 7), 3)).toThrow(/label 0 is 7/);
    expect(() => fitLinearProbe(Float32Array.from(x, () => NaN), 4, y, 3)).toThrow(LvrError);
  });
});

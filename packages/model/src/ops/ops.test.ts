import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { initBackend } from '../backend.js';
import { maxAbsDiff, expectNoLeak } from '../testing.js';
import { linear, tiedHead } from './linear.js';
import { gatherRows, stopGradient } from './gather-rows.js';
import { applyRope, mropeTables } from './rope.js';
import { bceWithLogits, crossEntropy, lvrRegressionLoss } from './losses.js';

function randn(rng: Rng, shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal()), shape);
}

/** Gradients of sum(f(inputs) ⊙ probe) w.r.t. each input, for a custom op and its autodiff reference. */
function grads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], probe: tf.Tensor): Float32Array[] {
  return tf.tidy(() => tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), probe)))(inputs).map((g) => g.dataSync() as Float32Array).map((a) => Float32Array.from(a)));
}

describe('custom ops on wasm: one backward pass each, against tfjs autodiff', () => {
  beforeAll(async () => { await initBackend({ prefer: 'wasm' }); });
  const rng = new Rng(3);

  it('linear (with and without bias)', () => {
    const x = randn(rng, [5, 4]), w = randn(rng, [3, 4]), b = randn(rng, [3]), probe = randn(rng, [5, 3]);
    const ours = grads((xx, ww, bb) => linear(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D), [x, w, b], probe);
    const ref = grads((xx, ww, bb) => tf.add(tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D, false, true), bb as tf.Tensor), [x, w, b], probe);
    ours.forEach((g, i) => expect(maxAbsDiff(g, ref[i] as Float32Array)).toBeLessThan(1e-5));
    const o2 = grads((xx, ww) => linear(xx as tf.Tensor2D, ww as tf.Tensor2D), [x, w], probe);
    const r2 = grads((xx, ww) => tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D, false, true), [x, w], probe);
    o2.forEach((g, i) => expect(maxAbsDiff(g, r2[i] as Float32Array)).toBeLessThan(1e-5));
  });

  it('tied head', () => {
    const h = randn(rng, [6, 4]), e = randn(rng, [7, 4]), probe = randn(rng, [6, 7]);
    const ours = grads((hh, ee) => tiedHead(hh as tf.Tensor2D, ee as tf.Tensor2D), [h, e], probe);
    const ref = grads((hh, ee) => tf.matMul(hh as tf.Tensor2D, ee as tf.Tensor2D, false, true), [h, e], probe);
    ours.forEach((g, i) => expect(maxAbsDiff(g, ref[i] as Float32Array)).toBeLessThan(1e-5));
  });

  it('gatherRows scatter-adds repeated rows', () => {
    const src = randn(rng, [5, 3]), probe = randn(rng, [4, 3]);
    const idx = Int32Array.from([4, 0, 4, 2]);
    const [ours] = grads((s) => gatherRows(s as tf.Tensor2D, idx), [src], probe);
    const [ref] = grads((s) => tf.matMul(tf.oneHot(tf.tensor1d(idx, 'int32'), 5).toFloat(), s as tf.Tensor2D), [src], probe);
    expect(maxAbsDiff(ours as Float32Array, ref as Float32Array)).toBeLessThan(1e-6);
    expect(() => gatherRows(src as tf.Tensor2D, Int32Array.from([5]))).toThrow(/outside/);
  });

  it('stopGradient passes values and blocks gradients', () => {
    const x = randn(rng, [2, 2]);
    const [g] = grads((a) => tf.add(stopGradient(a), tf.mul(a, 2)), [x], tf.onesLike(x));
    expect(Array.from(g as Float32Array)).toEqual([2, 2, 2, 2]);
  });

  it('rotary: matches an explicit slice/concat rotate_half and keeps norms', () => {
    const n = 3, heads = 2, d = 4;
    const pos = Int32Array.from([0, 1, 2, 0, 5, 2, 0, 1, 7]); // (3 axes, n)
    const t = mropeTables(pos, n, d, 10000, [1, 0, 1]);
    const cos = tf.tensor2d(t.cos, [n, d]), sin = tf.tensor2d(t.sin, [n, d]);
    const x = randn(rng, [n, heads * d]), probe = randn(rng, [n, heads * d]);
    const ref = (xx: tf.Tensor): tf.Tensor => {
      const x3 = tf.reshape(xx, [n, heads, d]);
      const x1 = tf.slice(x3, [0, 0, 0], [n, heads, d / 2]);
      const x2 = tf.slice(x3, [0, 0, d / 2], [n, heads, d / 2]);
      const rot = tf.concat([tf.neg(x2), x1], 2);
      return tf.reshape(tf.add(tf.mul(x3, tf.reshape(cos, [n, 1, d])), tf.mul(rot, tf.reshape(sin, [n, 1, d]))), [n, heads * d]);
    };
    const ours = (xx: tf.Tensor): tf.Tensor => applyRope(xx as tf.Tensor2D, cos, sin, heads);
    expect(maxAbsDiff(ours(x).dataSync(), ref(x).dataSync())).toBeLessThan(1e-6);
    const [g1] = grads(ours, [x], probe);
    const [g2] = grads(ref, [x], probe);
    expect(maxAbsDiff(g1 as Float32Array, g2 as Float32Array)).toBeLessThan(1e-5);
    // Row 0 has position 0 on every axis → identity.
    expect(maxAbsDiff(ours(x).slice([0, 0], [1, 8]).dataSync(), x.slice([0, 0], [1, 8]).dataSync())).toBeLessThan(1e-6);
  });

  it('losses: hand-computed values, empty sets give 0 (never NaN)', () => {
    const logits = tf.tensor2d([[0, 0], [Math.log(3), 0]]);
    const ce = crossEntropy(logits, Int32Array.from([0, 0])).dataSync()[0] as number;
    expect(ce).toBeCloseTo((Math.log(2) + Math.log(4 / 3)) / 2, 6);
    const p = tf.tensor2d([[1, 2], [3, 4]]), q = tf.tensor2d([[1, 0], [0, 4]]);
    expect(lvrRegressionLoss(p, q, 'mse').dataSync()[0]).toBeCloseTo((0 + 4 + 9 + 0) / 4, 6);
    expect(lvrRegressionLoss(p, q, 'mae').dataSync()[0]).toBeCloseTo((0 + 2 + 3 + 0) / 4, 6);
    const cos1 = 1 / Math.sqrt(5), cos2 = 4 / 5;
    expect(lvrRegressionLoss(p, q, 'cosine').dataSync()[0]).toBeCloseTo(1 - (cos1 + cos2) / 2, 5);
    const empty = tf.zeros([0, 2]) as tf.Tensor2D;
    expect(lvrRegressionLoss(empty, empty, 'mse').dataSync()[0]).toBe(0);
    expect(crossEntropy(tf.zeros([0, 3]) as tf.Tensor2D, new Int32Array(0)).dataSync()[0]).toBe(0);
    const bce = bceWithLogits(tf.tensor1d([0, 2]), Float32Array.from([1, 0])).dataSync()[0] as number;
    expect(bce).toBeCloseTo((Math.log(2) + Math.log(1 + Math.exp(2))) / 2, 5);
    // gradient of CE flows (one backward pass)
    const big = randn(rng, [5, 7]);
    const tg = Int32Array.from([1, 0, 6, 6, 3]);
    const [g] = grads((l) => crossEntropy(l as tf.Tensor2D, tg), [big], tf.scalar(2));
    const [gr] = grads((l) => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(l), tf.oneHot(tf.tensor1d(tg, 'int32'), 7)), -1))), [big], tf.scalar(2));
    expect(maxAbsDiff(g as Float32Array, gr as Float32Array)).toBeLessThan(1e-6);
  });

  it('ops do not leak tensors', async () => {
    const x = randn(rng, [5, 4]), w = randn(rng, [3, 4]);
    await expectNoLeak(() => tf.dispose(tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(linear(a as tf.Tensor2D, b as tf.Tensor2D)))([x, w]))));
    await expectNoLeak(() => tf.dispose(tf.tidy(() => tf.grad((a: tf.Tensor) => tf.sum(gatherRows(a as tf.Tensor2D, Int32Array.from([1, 1]))))(x))));
  });
});

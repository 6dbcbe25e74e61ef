import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { logSoftmaxAt } from '@lvr/decoding';
import { grpoLoss } from '@lvr/rl';
import { initBackend } from '../backend.js';
import { expectNoLeak, maxAbsDiff } from '../testing.js';
import { grpoLossTfjs } from './grpo-loss.js';
import { tokenLogprobs, tokenLogprobsJs } from './token-logprobs.js';

beforeAll(async () => { await initBackend({ prefer: 'wasm' }); });

const rng = new Rng(11);
const m = 5, v = 7, T = 0.9;
const logitsData = Float32Array.from({ length: m * v }, () => rng.normal() * 2);
const targets = Int32Array.of(0, 3, 6, 2, 5);
const valid = Uint8Array.of(1, 1, 1, 1, 0);

describe('tokenLogprobs (custom op)', () => {
  it('values equal the sampler formula (logSoftmaxAt); padding rows give 0', () => {
    const out = tf.tidy(() => Array.from(tokenLogprobs(tf.tensor2d(logitsData, [m, v]), targets, T, valid).dataSync()));
    for (let i = 0; i < 4; i++) expect(out[i]).toBeCloseTo(logSoftmaxAt(logitsData.subarray(i * v, (i + 1) * v), targets[i]!, T), 6);
    expect(out[4]).toBe(0);
    expect(Array.from(tokenLogprobsJs(logitsData, m, v, targets, T, valid))).toEqual(out);
  });

  it('the gradient equals autodiff of logSoftmax · onehot (and ignores padding rows)', () => {
    const w = tf.tensor1d([0.3, -1.2, 0.7, 2, 5]);
    const x = tf.tensor2d(logitsData, [m, v]);
    const ours = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(tokenLogprobs(l as tf.Tensor2D, targets, T, valid), w)))(x);
    const onehot = tf.oneHot(tf.tensor1d(targets, 'int32'), v).mul(tf.tensor2d(Array.from(valid), [m, 1]));
    const ref = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(tf.sum(tf.mul(tf.logSoftmax(tf.div(l, T)), onehot), 1), w)))(x);
    expect(maxAbsDiff(ours.dataSync(), ref.dataSync())).toBeLessThan(1e-5);
    tf.dispose([w, x, ours, onehot, ref]);
  });

  it('rejects bad targets and non-finite logits; no tensors leak', async () => {
    expect(() => tokenLogprobsJs(logitsData, m, v, Int32Array.of(0, 0, 0, 0, 9), T)).toThrow(/target 9 of row 4/);
    const bad = Float32Array.from(logitsData);
    bad[3] = Number.NaN;
    expect(() => tokenLogprobsJs(bad, m, v, targets, T)).toThrow(/logit 3 of row 0 is NaN/);
    await expectNoLeak(() => {
      const x = tf.tensor2d(logitsData, [m, v]);
      tf.dispose([x, tf.grad((l: tf.Tensor) => tf.sum(tokenLogprobs(l as tf.Tensor2D, targets, T)))(x)]);
    });
  });
});

describe('grpoLossTfjs', () => {
  it('forward and gradient are @lvr/rl grpoLoss', () => {
    const b = 2, c = 3;
    const lp = [-1, -2, -0.5, -1.5, -0.7, 0];
    const input = { oldLogp: [-1.1, -2, -0.2, -1.5, -1, 0], refLogp: [-1.2, -2, -0.3, -1.5, -1.0, 0], advantages: [0.5, -1], mask: [1, 1, 1, 1, 1, 0] };
    const o = { beta: 0.04, epsilonLow: 0.2, epsilonHigh: 0.2, lossType: 'bnpo' as const, maxCompletionLength: 4 };
    const js = grpoLoss({ batch: b, length: c, logp: lp, ...input }, o);
    const x = tf.tensor2d(lp, [b, c]);
    const { value, grad } = tf.valueAndGrad((l: tf.Tensor) => grpoLossTfjs(l as tf.Tensor2D, input, o).loss)(x);
    expect(value.dataSync()[0]).toBeCloseTo(js.loss, 6);
    expect(maxAbsDiff(grad.dataSync(), js.grad)).toBeLessThan(1e-7);
    tf.dispose([x, value, grad]);
  });
});

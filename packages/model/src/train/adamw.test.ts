import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { AdamW, resolveAdamWOptions } from './adamw.js';
import { liveTensors, useWasmBackend } from './test-backend.js';

beforeAll(useWasmBackend);

function setup(): { w: tf.Variable; b: tf.Variable; opt: AdamW } {
  const w = tf.variable(tf.tensor1d([1, -2]));
  const b = tf.variable(tf.tensor1d([0.5]));
  const opt = new AdamW([{ name: 'w', variable: w, decay: true }, { name: 'b', variable: b, decay: false }], { weightDecay: 0.1 });
  return { w, b, opt };
}

function step(opt: AdamW, gw: number[] | null, gb: number[] | null, lr: number): void {
  const grads = new Map<string, tf.Tensor>();
  if (gw) grads.set('w', tf.tensor1d(gw));
  if (gb) grads.set('b', tf.tensor1d(gb));
  opt.applyGradients(grads, lr);
  for (const g of grads.values()) g.dispose();
}

describe('AdamW', () => {
  it('matches a hand-computed 2-step example (decoupled decay, bias correction)', () => {
    const { w, b, opt } = setup();
    // Step 1 (t = 1, lr 0.1): bias-corrected m̂ = g and v̂ = g², so the Adam step is lr·g/|g| = ±0.1.
    //   w = [1, -2]·(1 − 0.1·0.1) − 0.1·sign([0.5, 0.1]) = [0.89, -2.08];  b (no decay) = 0.5 + 0.1 = 0.6
    step(opt, [0.5, 0.1], [-0.2], 0.1);
    expect(Array.from(w.dataSync())).toEqual([expect.closeTo(0.89, 6), expect.closeTo(-2.08, 6)]);
    expect(b.dataSync()[0]).toBeCloseTo(0.6, 6);
    // Step 2 (t = 2, lr 0.05), w[0] with g = -0.3:
    //   m = 0.9·0.05 + 0.1·(−0.3) = 0.015,  v = 0.999·0.00025 + 0.001·0.09 = 0.00033975
    //   denom = √v / √(1 − 0.999²) + ε = 0.0184323 / 0.0447102 = 0.412262
    //   w = 0.89·(1 − 0.05·0.1) − (0.05 / (1 − 0.9²))·0.015 / 0.412262 = 0.88555 − 0.0095749 = 0.8759751
    step(opt, [-0.3, 0.2], [0.4], 0.05);
    const got = [...w.dataSync(), ...b.dataSync()];
    const want = [0.8759751004608874, -2.1178590882893737, 0.5816948192269819];
    got.forEach((x, i) => expect(Math.abs(x - (want[i] as number)), `param ${i}`).toBeLessThan(1e-6));
    expect(opt.step).toBe(2);
    opt.dispose();
    w.dispose();
    b.dispose();
  });

  it('leaves a parameter without a gradient untouched and counts its own step', async () => {
    const { w, b, opt } = setup();
    step(opt, [0.5, 0.1], null, 0.1);
    expect(b.dataSync()[0]).toBe(0.5);
    step(opt, [0.5, 0.1], [-0.2], 0.1);
    // b's first update is at its own t = 1: exactly +lr (within float32 rounding)
    expect(b.dataSync()[0]).toBeCloseTo(0.6, 6);
    const state = await opt.exportState();
    expect(state.scalars).toEqual({ 'step/w': 2, 'step/b': 1 });
    opt.dispose();
    w.dispose();
    b.dispose();
  });

  it('export → import continues bit-identically and does not leak', async () => {
    const grads: [number[], number[], number][] = [[[0.5, 0.1], [-0.2], 0.1], [[-0.3, 0.2], [0.4], 0.05], [[0.7, -0.9], [0.1], 0.02], [[0.01, 0.3], [-1], 0.03]];
    const a = setup();
    for (const [gw, gb, lr] of grads) step(a.opt, gw, gb, lr);
    const b = setup();
    for (const [gw, gb, lr] of grads.slice(0, 2)) step(b.opt, gw, gb, lr);
    const state = await b.opt.exportState();
    const wSnap = b.w.dataSync().slice();
    const bSnap = b.b.dataSync().slice();
    b.opt.dispose();
    const c = setup();
    c.w.assign(tf.tensor1d(wSnap));
    c.b.assign(tf.tensor1d(bSnap));
    const before = liveTensors();
    c.opt.importState(state);
    expect(liveTensors()).toBe(before + 4); // two moments for each of two params
    expect(c.opt.step).toBe(2);
    const n0 = liveTensors();
    for (const [gw, gb, lr] of grads.slice(2)) step(c.opt, gw, gb, lr);
    expect(liveTensors()).toBe(n0);
    expect(Array.from(c.w.dataSync())).toEqual(Array.from(a.w.dataSync()));
    expect(Array.from(c.b.dataSync())).toEqual(Array.from(a.b.dataSync()));
    for (const s of [a, b, c]) {
      s.opt.dispose();
      s.w.dispose();
      s.b.dispose();
    }
  });

  it('rejects bad state, bad gradients and bad options with named errors', async () => {
    const { w, b, opt } = setup();
    step(opt, [1, 1], [1], 0.1);
    const state = await opt.exportState();
    const other = new AdamW([{ name: 'w', variable: w, decay: true }]);
    const expectCode = (fn: () => void, code: string, re: RegExp): void => {
      try {
        fn();
        expect.unreachable();
      } catch (e) {
        expect(isLvrError(e) && e.code, String(e)).toBe(code);
        expect((e as Error).message).toMatch(re);
      }
    };
    expectCode(() => other.importState(state, { file: 'ckpt/optimizer.safetensors' }), 'CHECKPOINT', /ckpt\/optimizer\.safetensors: state for unknown parameter "b"/);
    const badShape = { ...state, slots: { ...state.slots, 'exp_avg/w': { shape: [3], data: new Float32Array(3) } } };
    expectCode(() => opt.importState(badShape), 'CHECKPOINT', /exp_avg of "w" has shape \[3\], parameter \[2\]/);
    const { ['exp_avg_sq/b']: _dropped, ...missing } = state.slots;
    expectCode(() => opt.importState({ ...state, slots: missing }), 'CHECKPOINT', /missing exp_avg \/ exp_avg_sq for "b"/);
    expectCode(() => opt.applyGradients(new Map([['nope', w]]), 0.1), 'INVALID_ARGUMENT', /unknown parameter "nope"/);
    expectCode(() => opt.applyGradients(new Map([['b', w]]), 0.1), 'SHAPE_MISMATCH', /"b" has shape \[2\]/);
    expectCode(() => opt.applyGradients(new Map(), Number.NaN), 'INVALID_ARGUMENT', /learning rate/);
    expectCode(() => resolveAdamWOptions({ beta2: 1 }), 'CONFIG_INVALID', /beta2/);
    other.dispose();
    opt.dispose();
    w.dispose();
    b.dispose();
  });
});

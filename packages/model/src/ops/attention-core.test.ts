import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng, isLvrError } from '@lvr/core';
import { initBackend } from '../backend.js';
import { maxAbsDiff } from '../testing.js';
import { attention } from '../layers/attention.js';
import {
  attentionAutodiff, attentionCore, getAttentionImpl, planAttention, scaledDotAttention, setAttentionImpl,
  type AttentionKernel, type AttentionPlan,
} from './attention-core.js';

const NEG = -1e9;

function randn(rng: Rng, shape: number[], std = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal() * std), shape);
}

/**
 * Additive mask (B, 1, L, S) for L new queries after P = S − L cached keys: causal, plus per-row key
 * padding: `padLeft[b]` blocked keys at the start, `padRight[b]` at the end.
 */
function mask(b: number, l: number, s: number, opts: { causal?: boolean; padLeft?: number[]; padRight?: number[] } = {}): tf.Tensor4D {
  const p = s - l;
  const out = new Float32Array(b * l * s);
  for (let bi = 0; bi < b; bi++) {
    const left = opts.padLeft?.[bi] ?? 0, right = opts.padRight?.[bi] ?? 0;
    for (let i = 0; i < l; i++) {
      for (let j = 0; j < s; j++) {
        const blocked = ((opts.causal ?? true) && j > p + i) || j < left || j >= s - right;
        if (blocked) out[(bi * l + i) * s + j] = NEG;
      }
    }
  }
  return tf.tensor4d(out, [b, 1, l, s]);
}

type Attn = (q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D) => tf.Tensor3D;

/** Output and the gradients of sum(out ⊙ probe) w.r.t. q, k, v, as plain arrays. */
function run(f: Attn, q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, probe: tf.Tensor): Float32Array[] {
  return tf.tidy(() => {
    const out = Float32Array.from(f(q as tf.Tensor3D, k as tf.Tensor3D, v as tf.Tensor3D).dataSync());
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D), probe)))([q, k, v]);
    return [out, ...g.map((t) => Float32Array.from(t.dataSync()))];
  });
}

interface Case { name: string; b: number; h: number; l: number; s: number; d: number; dv?: number; m: () => tf.Tensor4D }

const CASES: Case[] = [
  { name: 'causal, odd sizes', b: 3, h: 2, l: 7, s: 7, d: 6, m: () => mask(3, 7, 7) },
  { name: 'padding: left-padded rows are fully masked', b: 3, h: 2, l: 9, s: 9, d: 8, m: () => mask(3, 9, 9, { padLeft: [0, 3, 5] }) },
  { name: 'KV cache: S > L with P = 6 past positions and right padding', b: 2, h: 3, l: 5, s: 11, d: 4, m: () => mask(2, 5, 11, { padRight: [0, 2] }) },
  { name: 'bidirectional, value width ≠ key width', b: 2, h: 2, l: 10, s: 13, d: 5, dv: 7, m: () => mask(2, 10, 13, { causal: false }) },
  { name: 'batch-1 mask shared by every head', b: 1, h: 4, l: 6, s: 6, d: 8, m: () => mask(1, 6, 6) },
  { name: 'demo-like widths: L = 33 over S = 40, head width 16, both paddings', b: 2, h: 2, l: 33, s: 40, d: 16, m: () => mask(2, 33, 40, { padLeft: [0, 9], padRight: [3, 0] }) },
];

const KERNELS: (AttentionKernel | AttentionPlan)[] = ['js', 'matmul', 'auto', { forward: 'matmul', backward: 'js' }, { forward: 'js', backward: 'matmul' }];

describe('attentionCore on wasm: forward and gradients against the autodiff formulation', () => {
  beforeAll(async () => { await initBackend({ prefer: 'wasm' }); });
  const rng = new Rng(11);

  for (const c of CASES) {
    it(c.name, () => {
      const dv = c.dv ?? c.d, scale = 1 / Math.sqrt(c.d);
      const m = c.m();
      const q = randn(rng, [c.b * c.h, c.l, c.d]), k = randn(rng, [c.b * c.h, c.s, c.d]), v = randn(rng, [c.b * c.h, c.s, dv]);
      const probe = randn(rng, [c.b * c.h, c.l, dv]);
      const ref = run((a, b, d) => attentionAutodiff(a, b, d, m as tf.Tensor4D, scale), q, k, v, probe);
      for (const kernel of KERNELS) {
        const ours = run((a, b, d) => attentionCore(a, b, d, m as tf.Tensor4D, scale, { kernel }), q, k, v, probe);
        ours.forEach((x, i) => {
          const name = `${JSON.stringify(kernel)} ${['out', 'dQ', 'dK', 'dV'][i]}`;
          expect(x.every(Number.isFinite), `${name} finite`).toBe(true);
          expect(maxAbsDiff(x, ref[i] as Float32Array), name).toBeLessThan(1e-5);
        });
      }
      tf.dispose([m, q, k, v, probe]);
    });
  }

  it('keys blocked for every query get exactly zero dK and dV, and their values never leak into the output', () => {
    const b = 2, h = 2, l = 6, s = 6, d = 4, right = 2; // row 1: keys 4, 5 are padding (rows 4, 5 still see keys 0–3)
    const m = mask(b, l, s, { padRight: [0, right] });
    const q = randn(rng, [b * h, l, d]), k = randn(rng, [b * h, s, d]), v = randn(rng, [b * h, s, d]), probe = randn(rng, [b * h, l, d]);
    // The same inputs with large changes at the blocked keys of batch row 1 (heads 2, 3).
    const bump = new Float32Array(b * h * s * d);
    for (let hh = 2; hh < 4; hh++) for (let j = s - right; j < s; j++) for (let c = 0; c < d; c++) bump[(hh * s + j) * d + c] = 50;
    const k2 = tf.add(k, tf.tensor(bump, k.shape)), v2 = tf.add(v, tf.tensor(bump, v.shape));
    for (const kernel of ['js', 'matmul'] as const) {
      const f: Attn = (a, bb, c) => attentionCore(a, bb, c, m, 0.5, { kernel });
      const [out, , dk, dvv] = run(f, q, k, v, probe) as [Float32Array, Float32Array, Float32Array, Float32Array];
      const [out2] = run(f, q, k2, v2, probe) as [Float32Array];
      expect(maxAbsDiff(out, out2), kernel).toBe(0);
      for (let hh = 2; hh < 4; hh++) {
        for (let j = s - right; j < s; j++) {
          for (let c = 0; c < d; c++) {
            expect(dk[(hh * s + j) * d + c], `${kernel} dK`).toBe(0);
            expect(dvv[(hh * s + j) * d + c], `${kernel} dV`).toBe(0);
          }
        }
      }
    }
    tf.dispose([m, q, k, v, probe, k2, v2]);
  });

  it('a gradient step inside tf.tidy leaves the tensor count unchanged', () => {
    const m = mask(2, 8, 8, { padLeft: [0, 2] });
    const q = randn(rng, [4, 8, 4]), k = randn(rng, [4, 8, 4]), v = randn(rng, [4, 8, 4]);
    for (const kernel of ['js', 'matmul', 'autodiff'] as const) {
      attentionCore(q as tf.Tensor3D, k as tf.Tensor3D, v as tf.Tensor3D, m, 0.5, { kernel }).dispose(); // warm the mask cache
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(attentionCore(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, m, 0.5, { kernel })))([q, k, v]);
        g.forEach((t) => t.dataSync());
      });
      expect(tf.memory().numTensors, kernel).toBe(before);
    }
    tf.dispose([m, q, k, v]);
  });

  it('bad inputs get clear LvrErrors', () => {
    const q = tf.zeros([4, 3, 2]) as tf.Tensor3D, k = tf.zeros([4, 5, 2]) as tf.Tensor3D, v = tf.zeros([4, 5, 2]) as tf.Tensor3D;
    const code = (f: () => unknown): string | undefined => {
      try { f(); } catch (e) { return isLvrError(e) ? `${e.code}: ${e.message}` : String(e); }
      return undefined;
    };
    expect(code(() => attentionCore(q, k, v, tf.zeros([2, 1, 3, 4]) as tf.Tensor4D, 1))).toMatch(/^SHAPE_MISMATCH: .*\(B, 1, L, S\)/);
    expect(code(() => attentionCore(q, tf.zeros([4, 5, 3]) as tf.Tensor3D, v, tf.zeros([2, 1, 3, 5]) as tf.Tensor4D, 1))).toMatch(/^SHAPE_MISMATCH: .*same width/);
    expect(code(() => attentionCore(q, k, v, tf.zeros([3, 1, 3, 5]) as tf.Tensor4D, 1))).toMatch(/^SHAPE_MISMATCH: .*divide/);
    const inf = new Float32Array(2 * 3 * 5);
    inf.fill(-Infinity, 5, 10); // batch 0, query 1: every key −Infinity
    expect(code(() => attentionCore(q, k, v, tf.tensor4d(inf, [2, 1, 3, 5]), 1))).toMatch(/^NUMERIC: .*batch 0, query 1/);
    const nan = new Float32Array(2 * 3 * 5);
    nan[17] = NaN;
    expect(code(() => attentionCore(q, k, v, tf.tensor4d(nan, [2, 1, 3, 5]), 1))).toMatch(/^INVALID_ARGUMENT: .*batch 1, query 0, key 2/);
    expect(code(() => attentionCore(q, k, v, tf.zeros([2, 1, 3, 5]) as tf.Tensor4D, Number.NaN))).toMatch(/^INVALID_ARGUMENT: .*scale/);
    expect(code(() => setAttentionImpl('fast' as never))).toMatch(/^INVALID_ARGUMENT/);
    expect(code(() => attentionCore(q, k, v, tf.zeros([2, 1, 3, 5]) as tf.Tensor4D, 1, { kernel: { forward: 'js', backward: 'gpu' as never } }))).toMatch(/^INVALID_ARGUMENT: .*kernel/);
  });

  it('the cost model keeps decoding on autodiff, causal training on narrow heads in JS, dense forwards on matMuls', () => {
    const demo = { bh: 128, l: 64, s: 64, dk: 16, dv: 16 };
    expect(planAttention({ ...demo, l: 1, visible: 1, training: false })).toBe('autodiff');
    expect(planAttention({ ...demo, l: 8, s: 72, visible: 0.95, training: false })).toBe('autodiff');
    expect(planAttention({ ...demo, visible: 0.51 })).toEqual({ forward: 'js', backward: 'js' });
    expect(planAttention({ ...demo, visible: 0.51, training: false })).toEqual({ forward: 'js', backward: 'js' });
    expect(planAttention({ ...demo, visible: 1 })).toEqual({ forward: 'matmul', backward: 'js' });
    expect(planAttention({ bh: 32, l: 128, s: 128, dk: 64, dv: 64, visible: 1 })).toEqual({ forward: 'matmul', backward: 'matmul' });
  });

  it('setAttentionImpl switches the attention layer; both paths agree, including the KV-cache present', () => {
    const b = 2, h = 2, l = 3, p = 4, dModel = 8, d = dModel / h;
    const w = { q: randn(rng, [dModel, dModel], 0.3), k: randn(rng, [dModel, dModel], 0.3), v: randn(rng, [dModel, dModel], 0.3), o: randn(rng, [dModel, dModel], 0.3) } as Record<string, tf.Tensor2D>;
    const x = randn(rng, [b * l, dModel]) as tf.Tensor2D;
    const cos = tf.ones([b * l, d]) as tf.Tensor2D, sin = tf.zeros([b * l, d]) as tf.Tensor2D;
    const past = { key: randn(rng, [b, h, p, d]) as tf.Tensor4D, value: randn(rng, [b, h, p, d]) as tf.Tensor4D };
    const m = mask(b, l, p + l, { padLeft: [0, 2] });
    const layer = (): { out: Float32Array; key: number[] } => tf.tidy(() => {
      const r = attention({ x, batch: b, length: l, heads: h, cos, sin, mask: m, past }, { q: w.q as tf.Tensor2D, k: w.k as tf.Tensor2D, v: w.v as tf.Tensor2D, o: w.o as tf.Tensor2D });
      return { out: Float32Array.from(r.out.dataSync()), key: r.present.key.shape };
    });
    expect(getAttentionImpl()).toBe('loop');
    const fast = layer();
    setAttentionImpl('autodiff');
    const old = layer();
    setAttentionImpl('loop');
    expect(fast.key).toEqual([b, h, p + l, d]);
    expect(maxAbsDiff(fast.out, old.out)).toBeLessThan(1e-5);
    const q3 = randn(rng, [4, 3, 2]) as tf.Tensor3D;
    const viaImpl = scaledDotAttention(q3, q3, q3, mask(2, 3, 3), 0.7).dataSync();
    expect(maxAbsDiff(viaImpl, attentionAutodiff(q3, q3, q3, mask(2, 3, 3), 0.7).dataSync())).toBeLessThan(1e-5);
  });
});

describe('attentionCore on the cpu backend', () => {
  beforeAll(async () => { await initBackend({ prefer: 'cpu' }); });
  afterAll(async () => { await initBackend({ prefer: 'wasm' }); });

  it('the matMul and JS kernels match autodiff', () => {
    const rng = new Rng(5);
    const m = mask(2, 5, 7, { padLeft: [1, 0] });
    const q = randn(rng, [4, 5, 4]), k = randn(rng, [4, 7, 4]), v = randn(rng, [4, 7, 4]), probe = randn(rng, [4, 5, 4]);
    const ref = run((a, b, c) => attentionAutodiff(a, b, c, m, 0.5), q, k, v, probe);
    for (const kernel of ['js', 'matmul'] as const) {
      const ours = run((a, b, c) => attentionCore(a, b, c, m, 0.5, { kernel }), q, k, v, probe);
      ours.forEach((x, i) => expect(maxAbsDiff(x, ref[i] as Float32Array), `${kernel} ${i}`).toBeLessThan(1e-5));
    }
  });
});

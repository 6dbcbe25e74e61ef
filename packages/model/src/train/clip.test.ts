import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipByGlobalNorm, globalNorm } from './clip.js';
import { liveTensors, useWasmBackend } from './test-backend.js';

beforeAll(useWasmBackend);

const grads = (): Map<string, tf.Tensor> =>
  new Map<string, tf.Tensor>([
    ['a', tf.tensor2d([[3, 0], [0, 0]])],
    ['b', tf.tensor1d([0, 4])],
    ['c', tf.tensor3d([[[12]]])],
  ]); // global norm √(9 + 16 + 144) = 13

const values = (m: Map<string, tf.Tensor>): number[] => [...m.values()].flatMap((t) => Array.from(t.dataSync()));
const dispose = (m: Map<string, tf.Tensor>): void => m.forEach((t) => t.dispose());

describe('globalNorm / clipByGlobalNorm', () => {
  it('computes the global L2 norm across tensors of any rank', () => {
    const g = grads();
    const n = globalNorm([...g.values()]);
    expect(n.dataSync()[0]).toBeCloseTo(13, 5);
    n.dispose();
    dispose(g);
    const z = globalNorm([]);
    expect(z.dataSync()[0]).toBe(0);
    z.dispose();
  });

  it('scales by maxNorm / (norm + 1e-6) when above the limit and returns the pre-clip norm', () => {
    const before = liveTensors();
    const r = clipByGlobalNorm(grads(), 6.5);
    expect(r.norm).toBeCloseTo(13, 5);
    expect(r.clipped).toBe(true);
    const coef = 6.5 / (13 + 1e-6);
    values(r.grads).forEach((v, i) => expect(v).toBeCloseTo([3, 0, 0, 0, 0, 4, 12][i]! * coef, 5));
    dispose(r.grads);
    expect(liveTensors()).toBe(before); // inputs disposed, no temporaries left
  });

  it('returns the same tensors untouched below the limit or when disabled', () => {
    for (const max of [20, null, 0]) {
      const g = grads();
      const r = clipByGlobalNorm(g, max);
      expect(r.clipped).toBe(false);
      expect([...r.grads.values()]).toEqual([...g.values()]);
      expect(values(r.grads)).toEqual([3, 0, 0, 0, 0, 4, 12]);
      dispose(g);
    }
  });

  it('reports a non-finite norm without scaling', () => {
    const g = new Map<string, tf.Tensor>([['x', tf.tensor1d([1, Number.NaN])], ['y', tf.tensor1d([Number.POSITIVE_INFINITY])]]);
    const r = clipByGlobalNorm(g, 1);
    expect(Number.isFinite(r.norm)).toBe(false);
    expect(r.clipped).toBe(false);
    dispose(g);
    expect(() => clipByGlobalNorm(new Map(), -1)).toThrow(/maxNorm/);
  });
});

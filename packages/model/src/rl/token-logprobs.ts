import * as tf from '@tensorflow/tfjs';
import { LvrError } from '@lvr/core';
import { customOp } from '../ops/custom-op.js';

/** Per row: `log softmax(x / T)[target]` and (optionally) the softmax probabilities, in float64 from float32 logits. */
function rowLogSoftmax(x: Float32Array, off: number, v: number, target: number, t: number, probs: Float32Array | undefined): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < v; k++) max = Math.max(max, (x[off + k] as number) / t);
  let sum = 0;
  for (let k = 0; k < v; k++) sum += Math.exp((x[off + k] as number) / t - max);
  const lse = max + Math.log(sum);
  if (probs) for (let k = 0; k < v; k++) probs[off + k] = Math.exp((x[off + k] as number) / t - lse);
  return (x[off + target] as number) / t - lse;
}

function check(m: number, v: number, targets: Int32Array, valid: Uint8Array | undefined, temperature: number): void {
  if (targets.length !== m) throw new LvrError('SHAPE_MISMATCH', `tokenLogprobs: ${targets.length} targets for ${m} rows`);
  if (valid !== undefined && valid.length !== m) throw new LvrError('SHAPE_MISMATCH', `tokenLogprobs: ${valid.length} validity flags for ${m} rows`);
  if (!(temperature > 0 && Number.isFinite(temperature))) throw new LvrError('INVALID_ARGUMENT', `tokenLogprobs: temperature must be > 0, got ${temperature}`);
  targets.forEach((t, i) => {
    if ((valid === undefined || valid[i] !== 0) && !(t >= 0 && t < v)) throw new LvrError('SHAPE_MISMATCH', `tokenLogprobs: target ${t} of row ${i} outside [0, ${v})`);
  });
}

function checkFinite(x: Float32Array, v: number, valid: Uint8Array | undefined): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) && (valid === undefined || valid[Math.floor(i / v)] !== 0)) {
      throw new LvrError('NUMERIC', `tokenLogprobs: logit ${i % v} of row ${Math.floor(i / v)} is ${x[i]}`, { details: { row: Math.floor(i / v) } });
    }
  }
}

/**
 * `log softmax(logits / T)[targets[i]]` for every row of `logits` (M, V) → (M), with a gradient: the exact
 * per-token log-probabilities GRPO needs (the fused cross-entropy op only gives a mean). The forward runs in JS in
 * float64 — the same formula as the sampler's recorded log-probs (`logSoftmaxAt`) — and the backward is
 * `dy · (onehot − softmax) / T`, from probabilities saved in the forward. Rows with `valid[i] = 0` (padding) give 0
 * and no gradient.
 *
 * @example
 * const lp = tokenLogprobs(logits, Int32Array.of(3, 7), 0.9); // (2)
 */
export function tokenLogprobs(logits: tf.Tensor2D, targets: Int32Array, temperature: number, valid?: Uint8Array): tf.Tensor1D {
  const [m, v] = logits.shape;
  check(m, v, targets, valid, temperature);
  const f = customOp<tf.Tensor1D>(([x], save) => {
    save([]);
    const xv = (x as tf.Tensor2D).dataSync() as Float32Array;
    checkFinite(xv, v, valid);
    const probs = new Float32Array(m * v);
    const out = new Float32Array(m);
    for (let i = 0; i < m; i++) {
      if (valid !== undefined && valid[i] === 0) continue;
      out[i] = rowLogSoftmax(xv, i * v, v, targets[i] as number, temperature, probs);
    }
    return {
      value: tf.tensor1d(out),
      gradFunc: (dy) => {
        const d = dy.dataSync() as Float32Array;
        const g = new Float32Array(m * v);
        for (let i = 0; i < m; i++) {
          if (valid !== undefined && valid[i] === 0) continue;
          const s = (d[i] as number) / temperature;
          if (s === 0) continue;
          for (let k = 0; k < v; k++) g[i * v + k] = -s * (probs[i * v + k] as number);
          g[i * v + (targets[i] as number)] = (g[i * v + (targets[i] as number)] as number) + s;
        }
        return [tf.tensor2d(g, [m, v])];
      },
    };
  });
  return f(logits);
}

/**
 * The no-gradient twin of {@link tokenLogprobs} on plain logits (M × V row-major): same values, no tensors.
 *
 * @example
 * tokenLogprobsJs(Float32Array.of(0, 0), 1, 2, Int32Array.of(1), 1); // Float32Array [log 0.5]
 */
export function tokenLogprobsJs(logits: Float32Array, m: number, v: number, targets: Int32Array, temperature: number, valid?: Uint8Array): Float32Array {
  if (logits.length !== m * v) throw new LvrError('SHAPE_MISMATCH', `tokenLogprobsJs: ${logits.length} logits for ${m} × ${v}`);
  check(m, v, targets, valid, temperature);
  checkFinite(logits, v, valid);
  const out = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    if (valid !== undefined && valid[i] === 0) continue;
    out[i] = rowLogSoftmax(logits, i * v, v, targets[i] as number, temperature, undefined);
  }
  return out;
}

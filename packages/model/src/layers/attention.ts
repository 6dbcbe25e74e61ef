import * as tf from '@tensorflow/tfjs';
import { linear } from '../ops/linear.js';
import { applyRope } from '../ops/rope.js';
import { scaledDotAttention } from '../ops/attention-core.js';

/** Attention weights: q/k/v/o projections (in, out) with optional q/k/v biases (Qwen2 uses them). */
export interface AttentionWeights {
  q: tf.Tensor2D;
  k: tf.Tensor2D;
  v: tf.Tensor2D;
  o: tf.Tensor2D;
  qBias?: tf.Tensor1D | undefined;
  kBias?: tf.Tensor1D | undefined;
  vBias?: tf.Tensor1D | undefined;
  oBias?: tf.Tensor1D | undefined;
}

/** Cached keys and values of earlier positions: (B, H, P, d) each. */
export interface KvPair {
  key: tf.Tensor4D;
  value: tf.Tensor4D;
}

export interface AttentionInput {
  /** Hidden states (B·L, D), row-major over (batch, position). */
  x: tf.Tensor2D;
  batch: number;
  length: number;
  heads: number;
  /** Rotary tables for the L new positions: (B·L, d). */
  cos: tf.Tensor2D;
  sin: tf.Tensor2D;
  /** Additive mask (B, 1, L, P+L): 0 = attend, −1e9 = blocked. */
  mask: tf.Tensor4D;
  /** Keys/values of P earlier positions (decoding with a KV cache). */
  past?: KvPair | undefined;
}

/**
 * Multi-head self-attention with rotary positions. Returns the output (B·L, D) and the present keys/values
 * (past ⧺ new) for caching. The attention core is `scaledDotAttention` (per-head rank-2 products with a
 * hand-written backward by default, see ops/attention-core.ts); projections use fast-path linears.
 */
export function attention(inp: AttentionInput, w: AttentionWeights): { out: tf.Tensor2D; present: KvPair } {
  const { x, batch: b, length: l, heads: h } = inp;
  const dModel = w.q.shape[1];
  const d = dModel / h;
  const present = tf.tidy(() => {
    const k = applyRope(linear(x, w.k, w.kBias), inp.cos, inp.sin, h);
    const v = linear(x, w.v, w.vBias);
    const k4 = tf.transpose(tf.reshape(k, [b, l, h, d]), [0, 2, 1, 3]) as tf.Tensor4D; // (B, H, L, d)
    const v4 = tf.transpose(tf.reshape(v, [b, l, h, d]), [0, 2, 1, 3]) as tf.Tensor4D; // (B, H, L, d)
    if (!inp.past) return { key: k4, value: v4 };
    return { key: tf.concat([inp.past.key, k4], 2) as tf.Tensor4D, value: tf.concat([inp.past.value, v4], 2) as tf.Tensor4D };
  });
  const out = tf.tidy(() => {
    const s = present.key.shape[2];
    const q = applyRope(linear(x, w.q, w.qBias), inp.cos, inp.sin, h);
    const q3 = tf.reshape(tf.transpose(tf.reshape(q, [b, l, h, d]), [0, 2, 1, 3]), [b * h, l, d]) as tf.Tensor3D; // (B·H, L, d)
    const k3 = tf.reshape(present.key, [b * h, s, d]) as tf.Tensor3D; // (B·H, S, d)
    const v3 = tf.reshape(present.value, [b * h, s, d]) as tf.Tensor3D; // (B·H, S, d)
    const o = scaledDotAttention(q3, k3, v3, inp.mask, 1 / Math.sqrt(d)); // (B·H, L, d)
    const o2 = tf.reshape(tf.transpose(tf.reshape(o, [b, h, l, d]), [0, 2, 1, 3]), [b * l, h * d]) as tf.Tensor2D; // (B·L, D)
    return linear(o2, w.o, w.oBias);
  });
  return { out, present };
}

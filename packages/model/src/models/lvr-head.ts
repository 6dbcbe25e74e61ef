import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../config.js';
import { linear } from '../ops/linear.js';
import { param, type ParamStore } from './params.js';

function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

function layerNorm(x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D, eps: number): tf.Tensor2D {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  const v = tf.mean(tf.square(xc), -1, true);
  return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(v, eps))), g), b) as tf.Tensor2D;
}

/**
 * Optional LVR head mapping a final hidden state to the next latent input (reference `lvr_heads.py`):
 * `simple` = LayerNorm → Linear → GELU → Linear; `glu` = down(silu(gate(x)) ⊙ up(x)) with biases; `none` =
 * identity (the paper's default). We apply it wherever a hidden state becomes a latent — at training
 * predictions and when feeding back at inference — never to the logits (no train/test position mismatch).
 */
export function applyLvrHead(params: ParamStore, c: ModelConfig, h: tf.Tensor2D): tf.Tensor2D {
  if (c.lvr.head === 'none') return h;
  return tf.tidy(() => {
    const p = (s: string): tf.Tensor => param(params, `lvr_head.${s}`);
    if (c.lvr.head === 'simple') {
      const n = layerNorm(h, p('ln.weight') as tf.Tensor1D, p('ln.bias') as tf.Tensor1D, 1e-6);
      const a = gelu(linear(n, p('fc1.weight') as tf.Tensor2D, p('fc1.bias') as tf.Tensor1D)) as tf.Tensor2D;
      return linear(a, p('fc2.weight') as tf.Tensor2D, p('fc2.bias') as tf.Tensor1D);
    }
    const g = linear(h, p('gate.weight') as tf.Tensor2D, p('gate.bias') as tf.Tensor1D);
    const u = linear(h, p('up.weight') as tf.Tensor2D, p('up.bias') as tf.Tensor1D);
    const a = tf.mul(tf.mul(g, tf.sigmoid(g)), u) as tf.Tensor2D;
    return linear(a, p('down.weight') as tf.Tensor2D, p('down.bias') as tf.Tensor1D);
  });
}

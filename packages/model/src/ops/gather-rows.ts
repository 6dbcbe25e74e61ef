import * as tf from '@tensorflow/tfjs';
import { LvrError } from '@lvr/core';
import { customOp } from './custom-op.js';

/**
 * `out[i] = src[index[i]]` for a 2-D `src` (M, D) and a JS index list — with a gradient on wasm, where
 * `tf.gather`'s gradient kernel (UnsortedSegmentSum) is missing. The backward pass scatter-adds in JS.
 * Used for token embeddings and to splice visual tokens / latents into the input sequence.
 *
 * @example
 * const x = gatherRows(embedding, Int32Array.from([5, 0, 5])); // (3, D)
 */
export function gatherRows(src: tf.Tensor2D, index: Int32Array): tf.Tensor2D {
  const [m, d] = src.shape;
  for (let i = 0; i < index.length; i++) {
    const k = index[i] as number;
    if (!(k >= 0 && k < m)) {
      throw new LvrError('SHAPE_MISMATCH', `gatherRows: index ${k} at position ${i} is outside [0, ${m})`);
    }
  }
  const f = customOp<tf.Tensor2D>(([s], save) => {
    save([]);
    const idx = tf.tensor1d(index, 'int32');
    const value = tf.gather(s as tf.Tensor2D, idx);
    idx.dispose();
    return {
      value,
      gradFunc: (dy) => {
        const g = dy.dataSync() as Float32Array;
        const out = new Float32Array(m * d);
        for (let i = 0; i < index.length; i++) {
          const dst = (index[i] as number) * d;
          const off = i * d;
          for (let j = 0; j < d; j++) out[dst + j] = (out[dst + j] as number) + (g[off + j] as number);
        }
        return [tf.tensor2d(out, [m, d])];
      },
    };
  });
  return f(src);
}

/** Identity in the forward pass, zero gradient: the targets of the LVR regression are stop-gradient. */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const f = customOp<T>(([xi], save) => {
    save([]);
    return { value: tf.clone(xi as tf.Tensor), gradFunc: (dy) => [tf.zerosLike(dy)] };
  });
  return f(x);
}

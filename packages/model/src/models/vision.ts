import * as tf from '@tensorflow/tfjs';
import { LvrError } from '@lvr/core';
import { patchRowWidth, type ModelConfig } from '../config.js';
import { linear } from '../ops/linear.js';
import { visionRopeTables } from '../ops/rope.js';
import { attention } from '../layers/attention.js';
import { rmsNorm } from '../layers/rms-norm.js';
import { swiGlu } from '../layers/mlp.js';
import { param, type ParamStore } from './params.js';

/** One image's patch rows as produced by `@lvr/data`'s `preprocessImage` (Qwen2.5-VL row layout). */
export interface ImageInput {
  /** (rows, 3·T·P·P) row-major. */
  pixelValues: Float32Array;
  /** Pre-merge patch grid. */
  gridThw: { t: number; h: number; w: number };
}

/** Patch (row, col) on the patch grid for each row of the Qwen layout (t, block-row, block-col, mr, mc). */
export function patchPositions(grid: { t: number; h: number; w: number }, merge: number): { rows: Int32Array; cols: Int32Array } {
  const n = grid.t * grid.h * grid.w;
  const rows = new Int32Array(n);
  const cols = new Int32Array(n);
  let k = 0;
  for (let t = 0; t < grid.t; t++) {
    for (let br = 0; br < grid.h / merge; br++) {
      for (let bc = 0; bc < grid.w / merge; bc++) {
        for (let mr = 0; mr < merge; mr++) {
          for (let mc = 0; mc < merge; mc++) {
            rows[k] = br * merge + mr;
            cols[k] = bc * merge + mc;
            k++;
          }
        }
      }
    }
  }
  return { rows, cols };
}

function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

/**
 * ViT + merger for a group of images with the same grid: patch embedding (linear map of the patch rows),
 * pre-norm blocks with 2-D rotary attention (bidirectional within each image), then the Qwen merger
 * (RMSNorm → concatenate each 2×2 block (4 consecutive rows) → Linear → GELU → Linear).
 * Returns the post-merger visual tokens (Σ tokens, D) in raster order of the merged grid.
 */
export function encodeImages(params: ParamStore, c: ModelConfig, images: readonly ImageInput[]): tf.Tensor2D {
  if (images.length === 0) return tf.zeros([0, c.hiddenSize]) as tf.Tensor2D;
  const v = c.vision;
  const rowWidth = patchRowWidth(v);
  const groups = new Map<string, number[]>();
  images.forEach((img, i) => {
    const { t, h, w } = img.gridThw;
    const n = t * h * w;
    if (img.pixelValues.length !== n * rowWidth) {
      throw new LvrError('SHAPE_MISMATCH', `image ${i}: ${img.pixelValues.length} pixel values do not match grid (${t},${h},${w}) × row width ${rowWidth}`);
    }
    if (h % v.spatialMergeSize !== 0 || w % v.spatialMergeSize !== 0) {
      throw new LvrError('SHAPE_MISMATCH', `image ${i}: grid ${h}×${w} is not divisible by the merge size ${v.spatialMergeSize}`);
    }
    const key = `${t}x${h}x${w}`;
    const g = groups.get(key);
    if (g) g.push(i); else groups.set(key, [i]);
  });
  return tf.tidy(() => {
  const perImage: tf.Tensor2D[] = new Array(images.length);
  for (const idxs of groups.values()) {
    const out = encodeGroup(params, c, idxs.map((i) => images[i] as ImageInput));
    const parts = idxs.length === 1 ? [out] : tf.split(out, idxs.length, 0);
    idxs.forEach((imgIdx, j) => { perImage[imgIdx] = parts[j] as tf.Tensor2D; });
  }
  return perImage.length === 1 ? (perImage[0] as tf.Tensor2D) : (tf.concat(perImage, 0) as tf.Tensor2D);
  });
}

function encodeGroup(params: ParamStore, c: ModelConfig, images: readonly ImageInput[]): tf.Tensor2D {
  return tf.tidy(() => {
    const v = c.vision;
    const first = images[0] as ImageInput;
    const grid = first.gridThw;
    const n = grid.t * grid.h * grid.w;
    const b = images.length;
    const rowWidth = patchRowWidth(v);
    const flat = new Float32Array(b * n * rowWidth);
    images.forEach((img, i) => flat.set(img.pixelValues, i * n * rowWidth));
    const pix = tf.tensor2d(flat, [b * n, rowWidth]);
    let x = linear(pix, param(params, 'visual.patch_embed.proj.weight') as tf.Tensor2D); // (B·n, dv)
    const vh = v.hiddenSize / v.numHeads;
    const pos = patchPositions(grid, v.spatialMergeSize);
    const tables = visionRopeTables(pos.rows, pos.cols, vh);
    const cosAll = new Float32Array(b * n * vh);
    const sinAll = new Float32Array(b * n * vh);
    for (let i = 0; i < b; i++) { cosAll.set(tables.cos, i * n * vh); sinAll.set(tables.sin, i * n * vh); }
    const cos = tf.tensor2d(cosAll, [b * n, vh]);
    const sin = tf.tensor2d(sinAll, [b * n, vh]);
    const mask = tf.zeros([b, 1, n, n]) as tf.Tensor4D; // bidirectional within each image
    const eps = c.rmsNormEps;
    for (let l = 0; l < v.depth; l++) {
      const p = (s: string): tf.Tensor => param(params, `visual.blocks.${l}.${s}`);
      const h = rmsNorm(x, p('norm1.weight') as tf.Tensor1D, eps);
      const { out } = attention(
        { x: h, batch: b, length: n, heads: v.numHeads, cos, sin, mask },
        {
          q: p('attn.q.weight') as tf.Tensor2D, k: p('attn.k.weight') as tf.Tensor2D, v: p('attn.v.weight') as tf.Tensor2D,
          o: p('attn.proj.weight') as tf.Tensor2D,
          qBias: p('attn.q.bias') as tf.Tensor1D, kBias: p('attn.k.bias') as tf.Tensor1D, vBias: p('attn.v.bias') as tf.Tensor1D,
          oBias: p('attn.proj.bias') as tf.Tensor1D,
        },
      );
      x = tf.add(x, out) as tf.Tensor2D;
      const h2 = rmsNorm(x, p('norm2.weight') as tf.Tensor1D, eps);
      x = tf.add(x, swiGlu(h2, {
        gate: p('mlp.gate_proj.weight') as tf.Tensor2D, up: p('mlp.up_proj.weight') as tf.Tensor2D, down: p('mlp.down_proj.weight') as tf.Tensor2D,
      })) as tf.Tensor2D;
    }
    return merge(params, c, x);
  });
}

/** Qwen merger: `x` (N patches, dv) in block-consecutive order → (N/m², D). */
function merge(params: ParamStore, c: ModelConfig, x: tf.Tensor2D): tf.Tensor2D {
  const v = c.vision;
  const m2 = v.spatialMergeSize * v.spatialMergeSize;
  const normed = rmsNorm(x, param(params, 'visual.merger.ln_q.weight') as tf.Tensor1D, c.rmsNormEps);
  const blocks = tf.reshape(normed, [x.shape[0] / m2, v.hiddenSize * m2]) as tf.Tensor2D; // (N/m², m²·dv)
  const h = gelu(linear(blocks, param(params, 'visual.merger.mlp.0.weight') as tf.Tensor2D, param(params, 'visual.merger.mlp.0.bias') as tf.Tensor1D)) as tf.Tensor2D;
  return linear(h, param(params, 'visual.merger.mlp.2.weight') as tf.Tensor2D, param(params, 'visual.merger.mlp.2.bias') as tf.Tensor1D);
}

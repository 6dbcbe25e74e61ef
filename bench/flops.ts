/**
 * Analytic FLOP counts (1 multiply-add = 2 FLOP) of the matmul work in a training step of the miniature
 * Qwen2.5-VL, and the tfjs side of the machine-peak measurement (one large rank-2 matMul).
 *
 * Training = forward + backward ≈ 3 × the forward matmul FLOPs (the backward computes the input and the weight
 * gradient of every matmul). Elementwise work (norms, softmax, RoPE, AdamW) is not counted. Attention is
 * counted over the full L × L score matrix, which is what both the tfjs and the PyTorch code compute.
 */
import * as tf from '@tensorflow/tfjs';
import { LvrError } from '@lvr/core';
import { patchRowWidth, type ModelConfig } from '@lvr/model';
import { median } from './decode-timing.js';

/** Shape of the training batch whose FLOPs are counted. */
export interface TrainFlopsInput {
  readonly batch: number;
  readonly length: number;
  /** Patches of each row's image before merging (64 for an 8×8 grid). */
  readonly patchesPerImage: number;
  /** Rows of the LM head (positions with a supervised next token), summed over the batch. */
  readonly headRows: number;
  /** Count the ViT + merger (the `full` case), or only the language model (`lm`, cached visual tokens). */
  readonly vision: boolean;
}

/** Forward and training-step FLOPs, split by part. */
export interface TrainFlops {
  readonly forwardLm: number;
  readonly forwardHead: number;
  readonly forwardVision: number;
  readonly forward: number;
  /** 3 × forward. */
  readonly step: number;
}

/**
 * FLOPs of one training step (see the module comment).
 *
 * @example
 * trainStepFlops(model.config, { batch: 32, length: 64, patchesPerImage: 64, headRows: 32 * 46, vision: true }).step; // ≈ 2.7e9
 */
export function trainStepFlops(c: Readonly<ModelConfig>, x: TrainFlopsInput): TrainFlops {
  for (const [k, v] of Object.entries(x)) {
    if (typeof v === 'number' && !(Number.isInteger(v) && v >= 0)) throw new LvrError('INVALID_ARGUMENT', `trainStepFlops: ${k} must be a non-negative integer, got ${v}`);
  }
  const d = c.hiddenSize;
  const n = x.batch * x.length; // tokens
  // per layer: q, k, v, o projections; SwiGLU gate, up, down; QKᵀ and AV over the full L × L
  const layer = 4 * 2 * n * d * d + 3 * 2 * n * d * c.intermediateSize + 2 * 2 * x.batch * x.length * x.length * d;
  const forwardLm = c.numLayers * layer;
  const forwardHead = 2 * x.headRows * d * c.vocabSize;
  let forwardVision = 0;
  if (x.vision) {
    const v = c.vision;
    const dv = v.hiddenSize;
    const p = x.batch * x.patchesPerImage; // patches
    const m2 = v.spatialMergeSize ** 2;
    const width = dv * m2;
    const block = 4 * 2 * p * dv * dv + 3 * 2 * p * dv * v.intermediateSize + 2 * 2 * x.batch * x.patchesPerImage ** 2 * dv;
    const merger = 2 * (p / m2) * width * width + 2 * (p / m2) * width * d;
    forwardVision = 2 * p * patchRowWidth(v) * dv + v.depth * block + merger;
  }
  const forward = forwardLm + forwardHead + forwardVision;
  return { forwardLm, forwardHead, forwardVision, forward, step: 3 * forward };
}

/** Median time and GFLOP/s of one n × n × n float32 matmul. */
export interface MatmulPeak {
  readonly n: number;
  readonly ms: number;
  readonly gflops: number;
}

/**
 * Times `tf.matMul(a, b)` of two n × n float32 matrices (rank 2, no transpose: XNNPACK's fast path on wasm),
 * result read back, median of `reps` after 2 warm-up runs.
 *
 * @example
 * const { gflops } = tfjsMatmulPeak(1024, 7);
 */
export function tfjsMatmulPeak(n: number, reps: number): MatmulPeak {
  if (!(Number.isInteger(n) && n > 0 && Number.isInteger(reps) && reps > 0)) throw new LvrError('INVALID_ARGUMENT', `tfjsMatmulPeak: n and reps must be positive integers (got ${n}, ${reps})`);
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1) as tf.Tensor2D;
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2) as tf.Tensor2D;
  const times: number[] = [];
  try {
    for (let r = 0; r < reps + 2; r++) {
      const t0 = performance.now();
      const y = tf.matMul(a, b);
      y.dataSync();
      const ms = performance.now() - t0;
      y.dispose();
      if (r >= 2) times.push(ms);
    }
  } finally {
    a.dispose();
    b.dispose();
  }
  const ms = median(times);
  return { n, ms, gflops: (2 * n ** 3) / (ms / 1000) / 1e9 };
}

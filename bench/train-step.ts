/**
 * Training-step time of the demo-size model on tfjs-wasm (not a test), old autodiff attention vs the
 * per-head attention op (`setAttentionImpl('autodiff' | 'loop')`) in the same process. A step is forward +
 * backward (`tf.variableGrads` of `computeLoss`, gradients read back), for a synthetic batch of B rows of
 * L tokens with 16 image tokens per row and one 64-px image (grid 1×8×8 → 64 patches → 16 tokens) per row:
 *   (a) full  — images through the ViT, every parameter trainable;
 *   (b) lm    — visual tokens cached once (frozen ViT), LM parameters only.
 * Steps of both implementations alternate, so a change of machine load hits both alike. Prints the median
 * step time per case, the ratio, the tensor count before/after, and /proc/loadavg before and after.
 *
 * Run: node --conditions=@lvr/source --import tsx bench/train-step.ts [--reps=N] [--warmup=N] [--batch=B] [--length=L]
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@lvr/core';
import { initBackend } from '../packages/model/src/backend.js';
import { patchRowWidth, resolveModelConfig, type ModelConfig } from '../packages/model/src/config.js';
import { MiniQwenVL } from '../packages/model/src/models/vlm.js';
import type { ImageInput } from '../packages/model/src/models/vision.js';
import { MODEL_SIZES } from '../packages/model/src/recipes/sizes.js';
import { IGNORE_INDEX, type TrainBatch } from '../packages/model/src/training/batch.js';
import { computeLoss, resolveObjective } from '../packages/model/src/training/objectives.js';
import { planAttention, setAttentionImpl, type AttentionImpl } from '../packages/model/src/ops/attention-core.js';

function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const v = arg === undefined ? fallback : Number(arg.slice(name.length + 3));
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a non-negative integer`);
  return v;
}

const REPS = Math.max(1, flag('reps', 9));
const WARMUP = flag('warmup', 3);
const B = Math.max(1, flag('batch', 32));
const L = Math.max(24, flag('length', 64));
const GRID = { t: 1, h: 8, w: 8 } as const;
const IMAGE_TOKENS = 16; // 64 patches merged 2×2
const IMPLS: readonly AttentionImpl[] = ['autodiff', 'loop'];

const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').trim();

function demoConfig(): Readonly<ModelConfig> {
  return resolveModelConfig({
    ...MODEL_SIZES.demo,
    vocabSize: 512,
    tokens: { padId: 0, imagePadId: 1, visionStartId: 2, visionEndId: 3, eosId: 4, lvrStartId: 5, lvrId: 6, lvrLatentEndId: 7, lvrEndId: 8, latentIds: [9, 10, 11, 12] },
  });
}

/**
 * Row layout: <vision_start> 16 × <image_pad> <vision_end> text…; M-RoPE positions as Qwen's get_rope_index
 * (image tokens at (t0, t0+r, t0+c) on the 4×4 merged grid, text continuing after the largest index).
 */
function syntheticBatch(c: Readonly<ModelConfig>, rng: Rng): TrainBatch {
  const n = B * L;
  const inputIds = new Int32Array(n), labels = new Int32Array(n).fill(IGNORE_INDEX), positionIds = new Int32Array(3 * n);
  const side = Math.sqrt(IMAGE_TOKENS);
  for (let r = 0; r < B; r++) {
    for (let t = 0; t < L; t++) {
      const i = r * L + t;
      let pos: [number, number, number];
      if (t === 0) { inputIds[i] = c.tokens.visionStartId; pos = [0, 0, 0]; }
      else if (t <= IMAGE_TOKENS) { const k = t - 1; inputIds[i] = c.tokens.imagePadId; pos = [1, 1 + Math.floor(k / side), 1 + (k % side)]; }
      else {
        inputIds[i] = t === IMAGE_TOKENS + 1 ? c.tokens.visionEndId : rng.intBetween(16, c.vocabSize - 1);
        if (t > IMAGE_TOKENS + 1) labels[i] = inputIds[i] as number;
        const p = side + 1 + (t - IMAGE_TOKENS - 1);
        pos = [p, p, p];
      }
      for (let a = 0; a < 3; a++) positionIds[a * n + i] = pos[a] as number;
    }
  }
  const rowWidth = patchRowWidth(c.vision);
  const images: ImageInput[] = Array.from({ length: B }, () => ({
    pixelValues: Float32Array.from({ length: GRID.t * GRID.h * GRID.w * rowWidth }, () => rng.normal()),
    gridThw: { ...GRID },
  }));
  return { batch: B, length: L, inputIds, attentionMask: new Uint8Array(n).fill(1), positionIds, labels, images, numTokens: n };
}

/**
 * One forward + backward (gradients and loss read back, then disposed) → wall and process CPU milliseconds.
 * The wasm backend is single-threaded, so CPU time is the work done, less distorted by other processes.
 */
function step(model: MiniQwenVL, batch: TrainBatch, vars: tf.Variable[]): { wall: number; cpu: number } {
  const objective = resolveObjective({ kind: 'sft' });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const { value, grads } = tf.variableGrads(() => computeLoss(model, batch, objective).loss, vars);
  value.dataSync();
  for (const g of Object.values(grads)) g.dataSync();
  const c1 = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  value.dispose();
  tf.dispose(grads);
  return { wall, cpu: (c1.user + c1.system) / 1000 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

await initBackend({ prefer: 'wasm' });
const config = demoConfig();
const model = MiniQwenVL.create(config, { seed: 0 });
const batch = syntheticBatch(config, new Rng(1));
const visual = tf.tidy(() => model.encodeImages(batch.images ?? []));
const lmBatch: TrainBatch = { ...batch, images: undefined, visualTokens: visual.dataSync() as Float32Array };
visual.dispose();
const all = [...model.params.values()].map((e) => e.variable);
const lmOnly = [...model.params.entries()].filter(([, e]) => e.module !== 'vision' && e.module !== 'merger').map(([, e]) => e.variable);
const cases = [
  { name: 'full (ViT trainable)', batch, vars: all },
  { name: 'LM only (cached visual tokens)', batch: lmBatch, vars: lmOnly },
];

process.stdout.write(`tfjs ${tf.version.tfjs} on ${tf.getBackend()}, node ${process.version}; demo model (d=${config.hiddenSize}, ${config.numLayers} layers, ${config.numHeads} heads; ViT d=${config.vision.hiddenSize}, depth ${config.vision.depth}), B=${B}, L=${L}, ${IMAGE_TOKENS} image tokens/row; median of ${REPS} (warm-up ${WARMUP})\n`);
const heads = (c: { hiddenSize: number; numHeads: number }): { bh: number; dk: number; dv: number } => ({ bh: B * c.numHeads, dk: c.hiddenSize / c.numHeads, dv: c.hiddenSize / c.numHeads });
const patches = GRID.t * GRID.h * GRID.w;
process.stdout.write(`loop plans: LM ${JSON.stringify(planAttention({ ...heads(config), l: L, s: L, visible: (L + 1) / (2 * L) }))}, ViT ${JSON.stringify(planAttention({ ...heads(config.vision), l: patches, s: patches, visible: 1 }))}\n`);
process.stdout.write(`loadavg before: ${loadavg()}\n`);
const tensorsBefore = tf.memory().numTensors;
for (const c of cases) {
  const wall: Record<string, number[]> = { autodiff: [], loop: [] }, cpu: Record<string, number[]> = { autodiff: [], loop: [] };
  for (let r = 0; r < WARMUP + REPS; r++) {
    for (const impl of r % 2 === 0 ? IMPLS : [...IMPLS].reverse()) {
      setAttentionImpl(impl);
      const t = step(model, c.batch, c.vars);
      if (r >= WARMUP) { (wall[impl] as number[]).push(t.wall); (cpu[impl] as number[]).push(t.cpu); }
    }
  }
  for (const [what, xs] of [['wall', wall], ['cpu', cpu]] as const) {
    const old = median(xs.autodiff as number[]), neu = median(xs.loop as number[]);
    process.stdout.write(`${c.name.padEnd(32)} ${what.padEnd(4)}  autodiff ${old.toFixed(1).padStart(7)} ms   loop ${neu.toFixed(1).padStart(7)} ms   ratio ${(old / neu).toFixed(2)}×\n`);
  }
}
setAttentionImpl('loop');
process.stdout.write(`tensors before/after: ${tensorsBefore}/${tf.memory().numTensors}\nloadavg after:  ${loadavg()}\n`);

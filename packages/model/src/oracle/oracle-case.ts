import { LvrError, Rng } from '@lvr/core';
import { patchRowWidth, type ModelConfig } from '../config.js';
import type { ImageInput } from '../models/vision.js';
import { IGNORE_INDEX, type TrainBatch } from '../training/batch.js';
import { resolveObjective, type ObjectiveConfig } from '../training/objectives.js';
import { tinyConfig, TINY_TOKENS } from '../testing.js';

/**
 * The fixed case the PyTorch oracle (`tools/torch-reference/check.py`) recomputes: a tiny config with two ViT
 * blocks (optionally with an LVR head, see {@link OracleVariant}), a batch of two rows (a square and a
 * non-square image, right padding in row 0, left padding in row 1, LVR spans of 2 and 3 `<|lvr|>` tokens), and
 * the LVR objective (CE + λ·MSE).
 */
export interface OracleCase {
  variant: OracleVariant;
  config: Readonly<ModelConfig>;
  /** Seed of `MiniQwenVL.create`. */
  seed: number;
  batch: TrainBatch;
  objective: Readonly<ObjectiveConfig>;
}

const T = TINY_TOKENS;
const PAD = T.padId;
const IMG = T.imagePadId;

/** Image grids (pre-merge patches): 2×2 and 2×3 visual tokens after the 2×2 merge. */
const GRIDS = [{ t: 1, h: 4, w: 4 }, { t: 1, h: 4, w: 6 }] as const;

/**
 * Row 0: `[q, vs, img×4, ve, asst, S, lvr×2, E, a, a, eos, pad×3]` (right padding, `<|lvr|>` labels −100).
 * Row 1: `[pad×2, q, vs, img×6, ve, asst, S, lvr×3, E, a]` (left padding, `<|lvr|>` labels = lvr id, which the
 * CE must ignore as well). Labels are supervised from `S` on.
 */
const ROWS: { ids: number[]; firstLabel: number; lvrLabel: number }[] = [
  { ids: [20, T.visionStartId, IMG, IMG, IMG, IMG, T.visionEndId, 21, T.lvrStartId, T.lvrId, T.lvrId, T.lvrEndId, 30, 31, T.eosId, PAD, PAD, PAD], firstLabel: 8, lvrLabel: IGNORE_INDEX },
  { ids: [PAD, PAD, 22, T.visionStartId, IMG, IMG, IMG, IMG, IMG, IMG, T.visionEndId, 23, T.lvrStartId, T.lvrId, T.lvrId, T.lvrId, T.lvrEndId, 32], firstLabel: 12, lvrLabel: T.lvrId },
];
const PADDING = [{ left: 0, right: 3 }, { left: 2, right: 0 }];
/** Visual-token rows fed at the `<|lvr|>` slots, in order (image 0 owns rows 0–3, image 1 rows 4–9). */
const LVR_VISUAL_ROWS = [3, 1, 9, 4, 6];

/**
 * Which model the oracle case uses: `base` is `tinyConfig()` with a two-block ViT; `simple-head` adds the LVR
 * `simple` head (LayerNorm → Linear → GELU → Linear) and drops the q/k/v biases; `glu-head` adds the `glu` head;
 * `allowed-mask` is `base` plus an `allowed` attention restriction (LIVR-style bottleneck, see {@link bottleneck}).
 */
export type OracleVariant = 'base' | 'simple-head' | 'glu-head' | 'allowed-mask';

/** Every variant, in the order `dump.ts --variant all` writes them. */
export const ORACLE_VARIANTS: readonly OracleVariant[] = Object.freeze(['base', 'simple-head', 'glu-head', 'allowed-mask']);

/** The oracle's model config for a variant. */
export function oracleConfig(variant: OracleVariant = 'base'): Readonly<ModelConfig> {
  const vision = { patchSize: 4, temporalPatchSize: 2, spatialMergeSize: 2, hiddenSize: 16, depth: 2, numHeads: 2, intermediateSize: 24 };
  if (variant === 'simple-head') return tinyConfig({ vision, lvr: { head: 'simple' }, attentionBias: false });
  if (variant === 'glu-head') return tinyConfig({ vision, lvr: { head: 'glu' } });
  return tinyConfig({ vision });
}

/**
 * M-RoPE positions (3, B·L) axis-major, Qwen2.5-VL style: text tokens count up on all axes, an image's merged
 * tokens get (s, s + row, s + col) and the text after it resumes at s + max(rows, cols); padding gets 1.
 */
function positionIds(rows: readonly number[][], mask: Uint8Array, merge: number): Int32Array {
  const l = rows[0]!.length;
  const n = rows.length * l;
  const out = new Int32Array(3 * n).fill(1);
  let image = 0;
  rows.forEach((ids, b) => {
    let next = 0;
    for (let t = 0; t < l; t++) {
      const i = b * l + t;
      if (mask[i] === 0) continue;
      if (ids[t] !== IMG) {
        out[i] = out[n + i] = out[2 * n + i] = next++;
        continue;
      }
      const g = GRIDS[image++]!;
      const lw = g.w / merge, lh = g.h / merge;
      for (let k = 0; k < lh * lw; k++) {
        out[i + k] = next;
        out[n + i + k] = next + Math.floor(k / lw);
        out[2 * n + i + k] = next + (k % lw);
      }
      next += Math.max(lh, lw);
      t += lh * lw - 1;
    }
  });
  return out;
}

/**
 * (B, L, L) `allowed` for the `allowed-mask` variant: tokens after a row's last `<|lvr|>` may not attend to its
 * image tokens (the answer sees the image only through the latents); everything else is allowed (the causal
 * and padding constraints are added by the model).
 */
function bottleneck(inputIds: Int32Array, b: number, l: number): Uint8Array {
  const allowed = new Uint8Array(b * l * l).fill(1);
  for (let r = 0; r < b; r++) {
    const row = inputIds.subarray(r * l, (r + 1) * l);
    const lastLatent = row.lastIndexOf(T.lvrId);
    for (let i = lastLatent + 1; i < l; i++) {
      for (let j = 0; j < l; j++) if (row[j] === IMG) allowed[(r * l + i) * l + j] = 0;
    }
  }
  return allowed;
}

function image(c: ModelConfig, grid: { t: number; h: number; w: number }, rng: Rng): ImageInput {
  const n = grid.t * grid.h * grid.w * patchRowWidth(c.vision);
  return { pixelValues: Float32Array.from({ length: n }, () => rng.normal()), gridThw: { ...grid } };
}

/**
 * Builds the oracle case. Deterministic: the same config, weights seed, pixels and batch every time.
 *
 * @example
 * const { config, seed, batch, objective } = oracleCase('base');
 * const model = MiniQwenVL.create(config, { seed });
 */
export function oracleCase(variant: OracleVariant = 'base'): OracleCase {
  if (!ORACLE_VARIANTS.includes(variant)) {
    throw new LvrError('INVALID_ARGUMENT', `oracle variant must be one of ${ORACLE_VARIANTS.join(', ')}, got ${String(variant)}`);
  }
  const config = oracleConfig(variant);
  const rng = new Rng(20250924);
  const l = ROWS[0]!.ids.length;
  const b = ROWS.length;
  const inputIds = new Int32Array(b * l);
  const labels = new Int32Array(b * l).fill(IGNORE_INDEX);
  const attentionMask = new Uint8Array(b * l);
  const lvrPositions: number[] = [];
  ROWS.forEach((row, r) => {
    const { left, right } = PADDING[r]!;
    row.ids.forEach((id, t) => {
      const i = r * l + t;
      inputIds[i] = id;
      attentionMask[i] = t >= left && t < l - right ? 1 : 0;
      if (id === T.lvrId) lvrPositions.push(i);
      if (attentionMask[i] === 1 && t >= row.firstLabel) labels[i] = id === T.lvrId ? row.lvrLabel : id;
    });
  });
  const batch: TrainBatch = {
    batch: b,
    length: l,
    inputIds,
    attentionMask,
    positionIds: positionIds(ROWS.map((r) => r.ids), attentionMask, config.vision.spatialMergeSize),
    labels,
    images: GRIDS.map((g) => image(config, g, rng)),
    lvr: { positions: Int32Array.from(lvrPositions), visualRows: Int32Array.from(LVR_VISUAL_ROWS) },
    numTokens: attentionMask.reduce((a, m) => a + m, 0),
    ...(variant === 'allowed-mask' ? { allowed: bottleneck(inputIds, b, l) } : {}),
  };
  return { variant, config, seed: 7, batch, objective: resolveObjective({ kind: 'lvr', lvrLoss: 'mse', lvrLambda: 0.1 }) };
}

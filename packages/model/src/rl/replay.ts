import * as tf from '@tensorflow/tfjs';
import { LvrError } from '@lvr/core';
import { getRopeIndex } from '@lvr/data';
import { buildReplayInputs, type GenerateResult, type PrefillRow } from '@lvr/decoding';
import type { ImageInput } from '../models/vision.js';
import type { EmbedOverride, ForwardInput, MiniQwenVL } from '../models/vlm.js';
import { gatherRows } from '../ops/gather-rows.js';
import { tokenLogprobs, tokenLogprobsJs } from './token-logprobs.js';

/** One completion to replay: its prompt (unpadded, with images), the generated ids and the recorded latents. */
export interface ReplayRow {
  /** The prompt ids exactly as prefilled for the rollout. */
  readonly promptIds: Int32Array;
  readonly images?: readonly ImageInput[] | undefined;
  /** The generated ids (`trace.outputIds`), at least one. */
  readonly outputIds: readonly number[];
  /** The recorded latent vectors by generated index j (fed at absolute position `promptIds.length + j`). */
  readonly latents: ReadonlyMap<number, Float32Array>;
}

/** The rows of one replay (any mix of prompt lengths, completion lengths and images). */
export interface ReplayBatch {
  readonly rows: readonly ReplayRow[];
}

/** Options of {@link replayLogprobs}. */
export interface ReplayOptions {
  /** The sampler temperature of the rollout: logits are divided by it. */
  temperature: number;
  /** Keep the gradient path (returns `tensor`); call inside `tf.variableGrads` / a loss function. */
  withGrad: boolean;
}

/** Replayed log-probs on the right-padded (B, C) completion grid (C = the longest completion). */
export interface ReplayLogprobs {
  batch: number;
  length: number;
  /** (B·C) `log softmax(logits / T)[outputIds[j]]`; 0 in padding. */
  values: Float32Array;
  /** (B, C) the same values with their gradient path (only with `withGrad`; the caller owns it). */
  tensor?: tf.Tensor2D;
}

/**
 * Pairs each trace with the prompt it was generated from (`prompts[i]` for `traces[i]`) and collects the exact
 * vectors fed at latent positions (`buildReplayInputs`).
 *
 * @example
 * const batch = buildReplayBatch(traces.map((t) => prompts[Math.floor(t.row / G)]), traces);
 */
export function buildReplayBatch(prompts: readonly PrefillRow[], traces: readonly GenerateResult[]): ReplayBatch {
  if (prompts.length !== traces.length) throw new LvrError('SHAPE_MISMATCH', `buildReplayBatch: ${prompts.length} prompts for ${traces.length} traces`);
  return {
    rows: traces.map((t, i) => {
      const p = prompts[i] as PrefillRow;
      if (p.inputIds.length !== t.promptLength) {
        throw new LvrError('SHAPE_MISMATCH', `buildReplayBatch: row ${i} prompt has ${p.inputIds.length} ids but its trace was generated from ${t.promptLength}`);
      }
      const latents = new Map<number, Float32Array>();
      buildReplayInputs(t).forEach((inp, j) => { if (inp.kind === 'embedding') latents.set(j, inp.vector); });
      return { promptIds: p.inputIds, images: p.images?.map((im) => ({ pixelValues: im.pixelValues, gridThw: im.gridThw })), outputIds: t.outputIds, latents };
    }),
  };
}

/** The teacher-forced forward input of a batch and where to read each completion token's logits. */
interface Layout {
  input: Omit<ForwardInput, 'overrides'>;
  latentPositions: Int32Array;
  latentRows: Float32Array;
  /** (B·C) flat index b·L + p of the position whose output predicts slot (b, j); 0 for padding slots. */
  readAt: Int32Array;
  targets: Int32Array;
  valid: Uint8Array;
  c: number;
}

function layout(model: MiniQwenVL, batch: ReplayBatch): Layout {
  const cfg = model.config;
  const t = cfg.tokens;
  const d = cfg.hiddenSize;
  const rows = batch.rows;
  const b = rows.length;
  if (b === 0) throw new LvrError('INVALID_ARGUMENT', 'replayLogprobs: empty batch');
  rows.forEach((r, i) => {
    if (r.promptIds.length === 0 || r.outputIds.length === 0) throw new LvrError('INVALID_ARGUMENT', `replayLogprobs: row ${i} has an empty prompt or completion`);
  });
  // Sequence of row i: prompt + outputIds[0 .. n−2] (the last generated token is predicted, never fed).
  const l = Math.max(...rows.map((r) => r.promptIds.length + r.outputIds.length - 1));
  const c = Math.max(...rows.map((r) => r.outputIds.length));
  const inputIds = new Int32Array(b * l).fill(t.padId);
  const positionIds = new Int32Array(3 * b * l).fill(1); // padding positions: 1 (unused, masked)
  const attentionMask = new Uint8Array(b * l);
  const latentPositions: number[] = [];
  const latentRows = new Float32Array([...rows].reduce((a, r) => a + r.latents.size, 0) * d);
  const readAt = new Int32Array(b * c);
  const targets = new Int32Array(b * c);
  const valid = new Uint8Array(b * c);
  const images: ImageInput[] = [];
  rows.forEach((r, i) => {
    const p = r.promptIds.length;
    const n = r.outputIds.length;
    const grids = (r.images ?? []).map((im) => im.gridThw);
    images.push(...(r.images ?? []));
    // Positions exactly as the step model's prefill + decode steps: the prompt's M-RoPE index on the unpadded row,
    // then `position + ropeDelta` on all three axes for every generated position (latent ones included).
    const rope = getRopeIndex(r.promptIds, grids, { imagePadId: t.imagePadId, visionStartId: t.visionStartId, mergeSize: cfg.vision.spatialMergeSize });
    const row = i * l;
    inputIds.set(r.promptIds, row);
    attentionMask.fill(1, row, row + p + n - 1);
    for (let a = 0; a < 3; a++) {
      positionIds.set(rope.positionIds.subarray(a * p, (a + 1) * p), a * b * l + row); // (3, P) → axis a of row i
      for (let j = 0; j < n - 1; j++) positionIds[a * b * l + row + p + j] = p + j + rope.ropeDelta;
    }
    for (let j = 0; j < n - 1; j++) {
      const vec = r.latents.get(j);
      if (vec !== undefined) {
        if (vec.length !== d) throw new LvrError('SHAPE_MISMATCH', `replayLogprobs: row ${i} latent at ${j} has ${vec.length} values, expected ${d}`);
        latentRows.set(vec, latentPositions.length * d);
        latentPositions.push(row + p + j);
        continue; // the pad id stays as a placeholder; the override replaces its embedding
      }
      const id = r.outputIds[j] as number;
      if (id === t.imagePadId) {
        throw new LvrError('INVALID_ARGUMENT', `replayLogprobs: row ${i} fed <|image_pad|> (id ${id}) at generated position ${j}; ` +
          'suppress image and vision ids in rollouts');
      }
      inputIds[row + p + j] = id;
    }
    for (const j of r.latents.keys()) {
      if (!(Number.isInteger(j) && j >= 0 && j < n - 1)) throw new LvrError('SHAPE_MISMATCH', `replayLogprobs: row ${i} has a latent at ${j}, outside [0, ${n - 1})`);
    }
    for (let j = 0; j < n; j++) {
      readAt[i * c + j] = row + p - 1 + j; // the output of position P − 1 + j predicts outputIds[j]
      targets[i * c + j] = r.outputIds[j] as number;
      valid[i * c + j] = 1;
    }
  });
  return {
    input: { batch: b, length: l, inputIds, positionIds, attentionMask, images },
    latentPositions: Int32Array.from(latentPositions), latentRows, readAt, targets, valid, c,
  };
}

/**
 * Replays completions with ONE teacher-forced forward over prompt + completion[0 .. n−2] per row (right-padded
 * batch, per-row images, M-RoPE positions computed per unpadded row exactly as the step model's prefill and decode
 * steps do), with each recorded latent vector placed (`overrides: [{ kind: 'rows' }]`) at exactly the absolute
 * position `promptLength + j` where it was fed during the rollout. Returns `log softmax(logits / T)` of every
 * generated token. With unchanged weights the values equal the log-probs recorded at sampling time (≤ 1e-4):
 * the replay invariant. Used for the policy (with gradient), the old policy (μ > 1) and the reference model.
 *
 * @example
 * const old = replayLogprobs(model, buildReplayBatch(rowPrompts, traces), { temperature: 0.9, withGrad: false });
 * old.values; // (B·C), compare with traces[i].logprobs
 */
export function replayLogprobs(model: MiniQwenVL, batch: ReplayBatch, opts: ReplayOptions): ReplayLogprobs {
  const lay = layout(model, batch);
  const b = batch.rows.length;
  const d = model.config.hiddenSize;
  const v = model.config.vocabSize;
  const run = (): tf.Tensor2D => {
    const overrides: EmbedOverride[] = lay.latentPositions.length === 0 ? [] : [{
      kind: 'rows', positions: lay.latentPositions, rows: tf.tensor2d(lay.latentRows, [lay.latentPositions.length, d]),
    }];
    const { hidden } = model.forward({ ...lay.input, overrides }); // (B·L, D)
    return model.logits(gatherRows(hidden, lay.readAt)); // (B·C, V)
  };
  if (opts.withGrad) {
    const tensor = tf.tidy(() => tf.reshape(tokenLogprobs(run(), lay.targets, opts.temperature, lay.valid), [b, lay.c]) as tf.Tensor2D);
    return { batch: b, length: lay.c, values: Float32Array.from(tensor.dataSync() as Float32Array), tensor };
  }
  const logits = tf.tidy(run);
  const data = Float32Array.from(logits.dataSync() as Float32Array);
  logits.dispose();
  return { batch: b, length: lay.c, values: tokenLogprobsJs(data, b * lay.c, v, lay.targets, opts.temperature, lay.valid) };
}

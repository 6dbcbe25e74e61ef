import { LvrError } from '@lvr/core';
import { getRopeIndexBatch } from '@lvr/data';
import type { PrefillRow, StepImage } from '@lvr/decoding';
import { patchRowWidth, type ModelConfig } from '../config.js';

/** One decoder call of a prefill: prompt positions [start, end) and the key mask (B × end) its queries use. */
export interface PrefillChunk {
  readonly start: number;
  readonly end: number;
  readonly keyMask: Uint8Array;
}

/**
 * Everything a backend needs to run a batch of prompts (shared by `TfjsStepModel` and `OrtStepModel`):
 * left padding, M-RoPE positions, prompt embedding overrides, and the LIVR test-time image bottleneck.
 */
export interface PrefillPlan {
  readonly batch: number;
  /** Common (left-padded) prompt length L. */
  readonly length: number;
  /** (B × L) token ids, padding = pad id. */
  readonly ids: Int32Array;
  /** (B × L) 1 = real token, 0 = left padding. */
  readonly attentionMask: Uint8Array;
  /** (3 × B × L) axis-major M-RoPE positions. */
  readonly positionIds: Int32Array;
  /** (B) decode offsets: a step at cache length P sits at P + ropeDeltas[b] on all axes. */
  readonly ropeDeltas: Int32Array;
  /** Flat (b·L + p) positions whose input embedding is replaced, with the vectors. */
  readonly overrides: readonly { readonly flat: number; readonly vector: Float32Array }[];
  /** The images of all rows in order (their tokens fill the `<|image_pad|>` positions in flat order). */
  readonly images: readonly StepImage[];
  /**
   * Decoder calls: one chunk covering the prompt, or — with `imageBottleneck` rows — one chunk per run of
   * positions whose queries may or may not see image tokens (a KV-cached prefill is exact, so chunking only
   * changes which keys each query sees).
   */
  readonly chunks: readonly PrefillChunk[];
  /** (B × L) keys visible to later steps: padding and, for bottleneck rows, image tokens hidden. */
  readonly stepMask: Uint8Array;
}

/**
 * Checks images against the vision config; returns the total patch rows.
 *
 * @throws LvrError `SHAPE_MISMATCH` naming the image.
 */
export function checkImages(c: ModelConfig, images: readonly StepImage[]): number {
  const row = patchRowWidth(c.vision);
  const m = c.vision.spatialMergeSize;
  let patches = 0;
  images.forEach((img, i) => {
    const { t, h, w } = img.gridThw;
    if (![t, h, w].every((x) => Number.isInteger(x) && x > 0)) throw new LvrError('SHAPE_MISMATCH', `image ${i}: grid (${t},${h},${w}) must be positive integers`);
    if (h % m !== 0 || w % m !== 0) throw new LvrError('SHAPE_MISMATCH', `image ${i}: grid ${h}×${w} is not divisible by the merge size ${m}`);
    if (img.pixelValues.length !== t * h * w * row) {
      throw new LvrError('SHAPE_MISMATCH', `image ${i}: ${img.pixelValues.length} pixel values do not match grid (${t},${h},${w}) × row width ${row}`);
    }
    patches += t * h * w;
  });
  return patches;
}

/**
 * Plans a prefill (see {@link PrefillPlan}).
 *
 * @throws LvrError `INVALID_ARGUMENT` (no rows, empty prompt, override outside its prompt), `SHAPE_MISMATCH`
 *   (token outside the vocabulary, override length, image/grid mismatches from `getRopeIndexBatch`).
 * @example
 * const plan = planPrefill(config, [{ inputIds, images }]);
 */
export function planPrefill(c: ModelConfig, rows: readonly PrefillRow[], hiddenSize = c.hiddenSize): PrefillPlan {
  if (rows.length === 0) throw new LvrError('INVALID_ARGUMENT', 'prefill: no rows');
  const b = rows.length;
  const l = Math.max(...rows.map((r) => r.inputIds.length));
  if (l === 0) throw new LvrError('INVALID_ARGUMENT', 'prefill: empty prompt');
  const ids = new Int32Array(b * l).fill(c.tokens.padId);
  const mask = new Uint8Array(b * l);
  rows.forEach((r, i) => {
    const off = l - r.inputIds.length; // left padding
    ids.set(r.inputIds, i * l + off);
    mask.fill(1, i * l + off, (i + 1) * l);
  });
  ids.forEach((id, k) => {
    if (!(id >= 0 && id < c.vocabSize)) throw new LvrError('SHAPE_MISMATCH', `prefill: token id ${id} at flat position ${k} is outside the vocabulary (${c.vocabSize})`);
  });
  const { positionIds, ropeDeltas } = getRopeIndexBatch(ids, b, rows.map((r) => (r.images ?? []).map((im) => im.gridThw)), {
    imagePadId: c.tokens.imagePadId, visionStartId: c.tokens.visionStartId, mergeSize: c.vision.spatialMergeSize, attentionMask: mask,
  });
  const overrides: { flat: number; vector: Float32Array }[] = [];
  rows.forEach((r, i) => {
    const off = l - r.inputIds.length;
    for (const o of r.embeddingOverrides ?? []) {
      if (!(Number.isInteger(o.position) && o.position >= 0 && o.position < r.inputIds.length)) throw new LvrError('INVALID_ARGUMENT', `prefill: row ${i} override position ${o.position} is outside its prompt`);
      if (o.vector.length !== hiddenSize) throw new LvrError('SHAPE_MISMATCH', `prefill: row ${i} override vector has ${o.vector.length} values, expected ${hiddenSize}`);
      overrides.push({ flat: i * l + off + o.position, vector: o.vector });
    }
  });
  const { chunks, stepMask } = bottleneckChunks(c, rows, ids, mask, b, l);
  return { batch: b, length: l, ids, attentionMask: mask, positionIds, ropeDeltas, overrides, images: rows.flatMap((r) => [...(r.images ?? [])]), chunks, stepMask };
}

/**
 * LIVR's test-time bottleneck: in a bottleneck row, image tokens are visible only to image tokens and latent
 * tokens (as `TfjsStepModel`'s `allowed` matrix) and never to later steps.
 */
function bottleneckChunks(c: ModelConfig, rows: readonly PrefillRow[], ids: Int32Array, mask: Uint8Array, b: number, l: number): { chunks: PrefillChunk[]; stepMask: Uint8Array } {
  const slice = (end: number, hide: (i: number) => boolean): Uint8Array => {
    const km = new Uint8Array(b * end);
    for (let i = 0; i < b; i++) {
      for (let j = 0; j < end; j++) km[i * end + j] = mask[i * l + j] === 1 && !(hide(i) && ids[i * l + j] === c.tokens.imagePadId) ? 1 : 0;
    }
    return km;
  };
  const bottleneck = rows.map((r) => r.imageBottleneck === true);
  if (!bottleneck.some(Boolean)) return { chunks: [{ start: 0, end: l, keyMask: mask }], stepMask: mask };
  const latent = new Set(c.tokens.latentIds);
  const sees = (i: number, k: number): boolean => {
    const id = ids[i * l + k] as number;
    return id === c.tokens.imagePadId || latent.has(id);
  };
  const starts = [0];
  for (let k = 1; k < l; k++) if (bottleneck.some((on, i) => on && sees(i, k) !== sees(i, k - 1))) starts.push(k);
  const chunks = starts.map((start, n) => {
    const end = starts[n + 1] ?? l;
    return { start, end, keyMask: slice(end, (i) => bottleneck[i] === true && !sees(i, start)) };
  });
  return { chunks, stepMask: slice(l, (i) => bottleneck[i] === true) };
}

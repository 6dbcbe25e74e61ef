import { LvrError } from '@lvr/core';
import type { GridThw } from '../image/grid.js';


/** Options of {@link getRopeIndex}. */
export interface RopeIndexOptions {
  /** Id of `<|image_pad|>`. */
  imagePadId: number;
  /** Id of `<|vision_start|>`. */
  visionStartId: number;
  /** Spatial merge size (default 2: one LLM token per 2×2 patches). */
  mergeSize?: number;
  /** `(L)` 1 = real token, 0 = padding (default: all real). */
  attentionMask?: Uint8Array;
}

/** M-RoPE positions of one row. */
export interface RopeIndex {
  /** `[3, L]` axis-major (t, h, w); padding positions hold 1 (as in HF). */
  positionIds: Int32Array;
  /** `(max position + 1) − L`; the position of a decode step is `pastLength + ropeDelta`. */
  ropeDelta: number;
}

/**
 * Qwen2.5-VL multimodal RoPE position ids of one row (HF `get_rope_index`; lvr-reference.md §3.1 step 5).
 * Text tokens — including all LVR and LIVR latent tokens — get the running 1-D index on all three axes.
 * The tokens of an image (the `<|image_pad|>` run after a `<|vision_start|>`) get, with s = the next index
 * after the preceding text, t = s + frame, h = s + row, w = s + column on the merged grid
 * (`h / mergeSize × w / mergeSize`). Text after an image continues at 1 + the maximum position so far.
 * Only unmasked tokens are numbered; padding gets 1.
 *
 * `ropeDelta` is taken relative to the full row length L including padding, like HF, so that a decode step
 * with `pastLength` cached tokens (padding included) is at `decodePosition(pastLength, ropeDelta)`; without
 * padding L is the token count. Frame offsets follow Qwen2-VL (t = s + frame); still images always have
 * t = 1, where Qwen2.5-VL's time scaling gives the same t = s.
 *
 * Throws `LvrError('SHAPE_MISMATCH')` if the images in the row do not match `imageGridThw`.
 *
 * @example
 * // 20 text tokens (the 20th is <|vision_start|>), a 16×16 merged image, 30 text tokens
 * const { positionIds, ropeDelta } = getRopeIndex(ids, [{ t: 1, h: 32, w: 32 }], { imagePadId, visionStartId });
 * ropeDelta; // -240; decodePosition(306, -240) === 66
 */
export function getRopeIndex(inputIds: Int32Array, imageGridThw: readonly GridThw[], options: RopeIndexOptions): RopeIndex {
  const length = inputIds.length;
  const mask = options.attentionMask;
  if (mask !== undefined && mask.length !== length) {
    throw new LvrError('SHAPE_MISMATCH', `getRopeIndex: attentionMask has length ${mask.length}, inputIds ${length}`);
  }
  const merge = options.mergeSize ?? 2;
  const real: number[] = [];
  for (let i = 0; i < length; i++) if (mask === undefined || mask[i] !== 0) real.push(i);
  const tokens = real.map((i) => inputIds[i] as number);
  const n = tokens.length;
  const pos = new Int32Array(3 * n); // (3, n) positions of the real tokens

  let imageCount = 0;
  for (let k = 0; k + 1 < n; k++) {
    if (tokens[k] === options.visionStartId && tokens[k + 1] === options.imagePadId) imageCount++;
  }
  if (imageCount !== imageGridThw.length) {
    throw new LvrError('SHAPE_MISMATCH', `getRopeIndex: the row has ${imageCount} image(s) but ${imageGridThw.length} ` +
      'image_grid_thw entries were given', { details: { images: imageCount, grids: imageGridThw.length } });
  }

  let st = 0; // next token index
  let next = 0; // next position value
  const setText = (from: number, to: number): void => {
    for (let k = from; k < to; k++) pos[k] = pos[n + k] = pos[2 * n + k] = next + (k - from);
    next += to - from;
  };
  let padsInImages = 0;
  imageGridThw.forEach((grid, g) => {
    const ed = tokens.indexOf(options.imagePadId, st);
    const { t, h, w } = grid;
    if (![t, h, w].every((v) => Number.isInteger(v) && v > 0) || h % merge !== 0 || w % merge !== 0) {
      throw new LvrError('SHAPE_MISMATCH', `getRopeIndex: image_grid_thw[${g}] = (${t}, ${h}, ${w}) is not a positive grid ` +
        `divisible by mergeSize ${merge}`, { details: { grid: g } });
    }
    const lh = h / merge;
    const lw = w / merge;
    const count = t * lh * lw;
    if (ed < 0 || ed + count > n || tokens.slice(ed, ed + count).some((id) => id !== options.imagePadId)) {
      throw new LvrError('SHAPE_MISMATCH', `getRopeIndex: image ${g} needs ${count} consecutive <|image_pad|> tokens ` +
        `(grid ${t}×${lh}×${lw} after merging)`, { details: { grid: g, expected: count } });
    }
    setText(st, ed);
    const s = next;
    for (let f = 0; f < t; f++) {
      for (let r = 0; r < lh; r++) {
        for (let c = 0; c < lw; c++) {
          const k = ed + (f * lh + r) * lw + c;
          pos[k] = s + f;
          pos[n + k] = s + r;
          pos[2 * n + k] = s + c;
        }
      }
    }
    next = s + Math.max(t, lh, lw);
    st = ed + count;
    padsInImages += count;
  });
  setText(st, n);
  const totalPads = tokens.reduce((a, id) => a + (id === options.imagePadId ? 1 : 0), 0);
  if (totalPads !== padsInImages) {
    throw new LvrError('SHAPE_MISMATCH', `getRopeIndex: ${totalPads - padsInImages} <|image_pad|> token(s) are not part of ` +
      'an image described by image_grid_thw', { details: { extra: totalPads - padsInImages } });
  }

  const positionIds = new Int32Array(3 * length).fill(1); // (3, L)
  real.forEach((i, k) => {
    positionIds[i] = pos[k] as number;
    positionIds[length + i] = pos[n + k] as number;
    positionIds[2 * length + i] = pos[2 * n + k] as number;
  });
  // next == max position + 1 (images advance it by their largest extent, text by one per token).
  return { positionIds, ropeDelta: next - length };
}

/** Options of {@link getRopeIndexBatch}. */
export interface RopeIndexBatchOptions extends Omit<RopeIndexOptions, 'attentionMask'> {
  /** `[B, L]` 1 = real token, 0 = padding (default: all real). */
  attentionMask?: Uint8Array;
}

/**
 * {@link getRopeIndex} for a padded batch `inputIds [B, L]` with per-row image grids.
 * Returns `positionIds [3, B, L]` (HF layout) and `ropeDeltas (B)`.
 *
 * @example
 * const { positionIds, ropeDeltas } = getRopeIndexBatch(batch.inputIds, batch.batchSize, grids,
 *   { imagePadId, visionStartId, attentionMask: batch.attentionMask });
 */
export function getRopeIndexBatch(
  inputIds: Int32Array,
  batchSize: number,
  imageGridThw: readonly (readonly GridThw[])[],
  options: RopeIndexBatchOptions,
): { positionIds: Int32Array; ropeDeltas: Int32Array } {
  if (!Number.isInteger(batchSize) || batchSize < 1 || inputIds.length % batchSize !== 0) {
    throw new LvrError('SHAPE_MISMATCH', `getRopeIndexBatch: ${inputIds.length} ids cannot form ${batchSize} rows`);
  }
  if (imageGridThw.length !== batchSize) {
    throw new LvrError('SHAPE_MISMATCH', `getRopeIndexBatch: ${imageGridThw.length} grid lists for ${batchSize} rows`);
  }
  const length = inputIds.length / batchSize;
  const mask = options.attentionMask;
  if (mask !== undefined && mask.length !== inputIds.length) {
    throw new LvrError('SHAPE_MISMATCH', `getRopeIndexBatch: attentionMask has ${mask.length} entries, expected ${inputIds.length}`);
  }
  const positionIds = new Int32Array(3 * batchSize * length); // (3, B, L)
  const ropeDeltas = new Int32Array(batchSize);
  for (let b = 0; b < batchSize; b++) {
    const row = getRopeIndex(inputIds.subarray(b * length, (b + 1) * length), imageGridThw[b] as readonly GridThw[], {
      ...options,
      ...(mask === undefined ? {} : { attentionMask: mask.subarray(b * length, (b + 1) * length) }),
    });
    for (let a = 0; a < 3; a++) {
      positionIds.set(row.positionIds.subarray(a * length, (a + 1) * length), (a * batchSize + b) * length);
    }
    ropeDeltas[b] = row.ropeDelta;
  }
  return { positionIds, ropeDeltas };
}

/**
 * Position (same on the t, h and w axes) of the decode step that follows `pastLength` cached tokens:
 * `pastLength + ropeDelta`. Latent steps are decode steps too.
 *
 * @example
 * decodePosition(306, -240); // 66
 */
export function decodePosition(pastLength: number, ropeDelta: number): number {
  return pastLength + ropeDelta;
}

/**
 * `[3, steps]` axis-major positions of the next `steps` decode tokens after `pastLength` cached tokens
 * (all three axes equal).
 *
 * @example
 * decodePositions(306, -240, 2); // Int32Array [66, 67, 66, 67, 66, 67]
 */
export function decodePositions(pastLength: number, ropeDelta: number, steps = 1): Int32Array {
  const out = new Int32Array(3 * steps);
  for (let a = 0; a < 3; a++) for (let k = 0; k < steps; k++) out[a * steps + k] = pastLength + ropeDelta + k;
  return out;
}

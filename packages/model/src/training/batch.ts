import type { ImageInput } from '../models/vision.js';

/** Label value that carries no loss (PyTorch's ignore_index). */
export const IGNORE_INDEX = -100;

/**
 * One training batch as plain arrays (backend-neutral). Built from `@lvr/data` sequences by
 * `collateTrainBatch`, or by hand in tests.
 */
export interface TrainBatch {
  batch: number;
  length: number;
  /** (B·L) token ids, right- or left-padded. */
  inputIds: Int32Array;
  /** (B·L) 1 = real token. */
  attentionMask: Uint8Array;
  /** (3, B·L) axis-major M-RoPE positions. */
  positionIds: Int32Array;
  /** (B·L) UNshifted labels: position t predicts labels[t+1]; IGNORE_INDEX = no loss. */
  labels: Int32Array;
  /** Images in order of their `<|image_pad|>` runs (row-major over the batch)… */
  images?: readonly ImageInput[] | undefined;
  /** …or precomputed visual tokens (Nv·D) of a frozen ViT, in the same order. */
  visualTokens?: Float32Array | undefined;
  /**
   * LVR teacher forcing: flat positions b·L+p of `<|lvr|>` tokens in order, and for each the row of the
   * batch's visual-token list whose vector is fed there (and regressed onto from position p−1). Optionally, per
   * latent, the run of the visual-token list holding its image (`imageStart`, `imageCount`): the image means of
   * centred targets and the negatives of InfoNCE / the pointer loss; without them the whole list is one image.
   */
  lvr?: { positions: Int32Array; visualRows: Int32Array; imageStart?: Int32Array | undefined; imageCount?: Int32Array | undefined } | undefined;
  /** (B, L, L) LIVR stage-1 attention restriction (1 = allowed), omitted in stage 2. */
  allowed?: Uint8Array | undefined;
  /** Number of real (non-pad) tokens, for tokens/s. */
  numTokens: number;
}

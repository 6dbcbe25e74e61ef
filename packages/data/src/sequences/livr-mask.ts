import { LvrError } from '@lvr/core';
import type { CollatedBatch } from './batch.js';
import type { LivrSpans } from './livr-sequence.js';

/** LIVR training stage: 1 = visual bottleneck mask, 2 = ordinary causal mask. */
export type LivrStage = 1 | 2;

/**
 * The LIVR attention pattern of one sequence (livr-and-peers.md §1.3) as an `L×L` 0/1 matrix
 * (`out[i * L + j] = 1` ⇔ query i may attend key j).
 * - stage 2: causal (j ≤ i);
 * - stage 1: causal AND (key j is not an image token, OR query i is an image token or a latent token).
 *   So prompt and answer tokens (and all chat-template tokens outside the latents) never see any image
 *   span, while the latents see images and prompt. Every image span is blocked (multi-image).
 *
 * @example
 * const allowed = livrAttentionAllowed(seq.spans, seq.inputIds.length, 1);
 */
export function livrAttentionAllowed(spans: Pick<LivrSpans, 'images' | 'latents'>, length: number, stage: LivrStage): Uint8Array {
  if (stage !== 1 && stage !== 2) throw new LvrError('INVALID_ARGUMENT', `livrAttentionAllowed: stage must be 1 or 2, got ${String(stage)}`);
  if (!Number.isInteger(length) || length < 0) throw new LvrError('INVALID_ARGUMENT', `livrAttentionAllowed: bad length ${length}`);
  const image = new Uint8Array(length);
  for (const s of spans.images) {
    if (s.start < 0 || s.start + s.length > length) {
      throw new LvrError('SHAPE_MISMATCH', `livrAttentionAllowed: image span [${s.start}, ${s.start + s.length}) outside length ${length}`);
    }
    image.fill(1, s.start, s.start + s.length);
  }
  const { start: ls, end: le } = spans.latents;
  if (ls < 0 || le < ls || le > length) {
    throw new LvrError('SHAPE_MISMATCH', `livrAttentionAllowed: latent range [${ls}, ${le}) outside length ${length}`);
  }
  const out = new Uint8Array(length * length); // (L, L) query-major
  for (let i = 0; i < length; i++) {
    const seesImages = stage === 2 || image[i] === 1 || (i >= ls && i < le);
    const row = i * length;
    for (let j = 0; j <= i; j++) out[row + j] = seesImages || image[j] === 0 ? 1 : 0;
  }
  return out;
}

/**
 * {@link livrAttentionAllowed} for every row of a collated batch → `[B, L, L]`, with padding keys blocked.
 * A padding query may attend only itself, so no softmax row is empty. Rows need LIVR `spans`.
 *
 * @example
 * const mask = livrBatchAttentionAllowed(collateSequences(livrSeqs, { padId }), 1); // (B, L, L)
 */
export function livrBatchAttentionAllowed(batch: Pick<CollatedBatch, 'batchSize' | 'length' | 'attentionMask' | 'rows'>, stage: LivrStage): Uint8Array {
  const { batchSize: B, length: L } = batch;
  const out = new Uint8Array(B * L * L); // (B, L, L)
  batch.rows.forEach((row, b) => {
    if (!row.spans) throw new LvrError('INVALID_ARGUMENT', `livrBatchAttentionAllowed: row ${b} has no LIVR spans`, { details: { row: b } });
    const m = livrAttentionAllowed(row.spans, L, stage);
    const keep = batch.attentionMask.subarray(b * L, (b + 1) * L);
    const base = b * L * L;
    for (let i = 0; i < L; i++) {
      if (keep[i] === 0) {
        out[base + i * L + i] = 1;
        continue;
      }
      for (let j = 0; j <= i; j++) out[base + i * L + j] = keep[j] === 1 ? (m[i * L + j] as number) : 0;
    }
  });
  return out;
}

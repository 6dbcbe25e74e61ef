import { describe, expect, it } from 'vitest';
import { addLivrLatentTokens } from '../tokenizer/add-tokens.js';
import { createQwenLikeTokenizerJson } from '../tokenizer/qwen-like.js';
import { LvrTokenizer } from '../tokenizer/tokenizer.js';
import { collateSequences } from './batch.js';
import { buildLivrSequence } from './livr-sequence.js';
import { livrAttentionAllowed, livrBatchAttentionAllowed } from './livr-mask.js';

const tok = LvrTokenizer.fromJson(addLivrLatentTokens(createQwenLikeTokenizerJson(), 4));

describe('livrAttentionAllowed', () => {
  it('stage 2 is exactly causal', () => {
    const m = livrAttentionAllowed({ images: [{ start: 1, length: 2 }], latents: { start: 4, end: 5 } }, 6, 2);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) expect(m[i * 6 + j]).toBe(j <= i ? 1 : 0);
  });

  it('stage 1 blocks image keys for every query except image and latent tokens (hand-checked 8×8)', () => {
    // positions: 0 P, 1 I, 2 I, 3 P, 4 L, 5 L, 6 A, 7 A
    const m = livrAttentionAllowed({ images: [{ start: 1, length: 2 }], latents: { start: 4, end: 6 } }, 8, 1);
    const rows = Array.from({ length: 8 }, (_, i) => Array.from(m.subarray(i * 8, i * 8 + 8)).join(''));
    expect(rows).toEqual([
      '10000000',
      '11000000', // image attends to earlier prompt and itself
      '11100000',
      '10010000', // prompt after the image cannot see it
      '11111000', // latents see image and prompt
      '11111100',
      '10011110', // answer sees prompt and latents, not the image
      '10011111',
    ]);
  });

  it('blocks every image span in multi-image sequences built by buildLivrSequence', () => {
    const seq = buildLivrSequence({ tokenizer: tok, question: '<image>A<image>\nB?', answer: 'C', imageTokenCounts: [3, 2], numLatents: 4 });
    const L = seq.inputIds.length;
    const m = livrAttentionAllowed(seq.spans, L, 1);
    const isImage = (j: number) => seq.spans.images.some((s) => j >= s.start && j < s.start + s.length);
    const isLatent = (i: number) => i >= seq.spans.latents.start && i < seq.spans.latents.end;
    let blocked = 0;
    for (let i = 0; i < L; i++) {
      for (let j = 0; j < L; j++) {
        const want = j <= i && (!isImage(j) || isImage(i) || isLatent(i)) ? 1 : 0;
        expect(m[i * L + j]).toBe(want);
        if (j <= i && want === 0) blocked++;
      }
    }
    // answer-group queries see no image key; latent queries see all 5 image tokens
    const a = seq.spans.answer.start;
    expect(seq.spans.images.every((s) => m[a * L + s.start] === 0)).toBe(true);
    const l = seq.spans.latents.start;
    expect(Array.from({ length: L }, (_, j) => m[l * L + j]).filter((v, j) => v === 1 && isImage(j))).toHaveLength(5);
    expect(blocked).toBeGreaterThan(0);
  });

  it('validates its input', () => {
    expect(() => livrAttentionAllowed({ images: [{ start: 3, length: 4 }], latents: { start: 0, end: 0 } }, 5, 1)).toThrow(/outside length 5/);
    expect(() => livrAttentionAllowed({ images: [], latents: { start: 4, end: 9 } }, 5, 1)).toThrow(/latent range/);
    expect(() => livrAttentionAllowed({ images: [], latents: { start: 0, end: 0 } }, 5, 3 as 1)).toThrow(/stage must be 1 or 2/);
  });
});

describe('livrBatchAttentionAllowed', () => {
  it('shifts spans for left padding, blocks padding keys and lets padding queries see only themselves', () => {
    const a = buildLivrSequence({ tokenizer: tok, question: '<image>\nQ?', answer: 'yes', imageTokenCounts: [2], numLatents: 4 });
    const b = buildLivrSequence({ tokenizer: tok, question: '<image>\nLonger question?', answer: 'no', imageTokenCounts: [3], numLatents: 4 });
    const batch = collateSequences([a, b], { padId: tok.special.pad, side: 'left' });
    const { length: L } = batch;
    const mask = livrBatchAttentionAllowed(batch, 1);
    expect(mask).toHaveLength(2 * L * L);
    const off = batch.rows[0]!.offset;
    expect(off).toBe(L - a.inputIds.length);
    const single = livrAttentionAllowed(a.spans, a.inputIds.length, 1);
    const n = a.inputIds.length;
    for (let i = 0; i < L; i++) {
      for (let j = 0; j < L; j++) {
        const got = mask[i * L + j];
        if (i < off) expect(got).toBe(i === j ? 1 : 0);
        else if (j < off) expect(got).toBe(0);
        else expect(got).toBe(single[(i - off) * n + (j - off)]);
      }
    }
    // row 1 has no padding: identical to its single-row mask
    expect(Array.from(mask.subarray(L * L))).toEqual(Array.from(livrAttentionAllowed(b.spans, L, 1)));
    expect(() => livrBatchAttentionAllowed(collateSequences([{ inputIds: Int32Array.from([1]) }], { padId: 0 }), 1)).toThrow(/no LIVR spans/);
  });
});

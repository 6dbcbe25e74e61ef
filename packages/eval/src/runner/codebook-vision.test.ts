import { describe, expect, it } from 'vitest';
import { patchifyRgb, renderSymbolImage, resolvePreprocessOptions, symbolCodebook, symbolTokens } from '@lvr/data';
import type { CacheHandle, PrefillRow, StepModel } from '@lvr/decoding';
import { CodebookVisionModel } from './codebook-vision.js';

const pre = resolvePreprocessOptions({ patchSize: 8, mergeSize: 2, temporalPatchSize: 2, minPixels: 256 });
const PAD = 7;

function recorder(d: number): StepModel & { seen: PrefillRow[][] } {
  const seen: PrefillRow[][] = [];
  const cache: CacheHandle = { batchSize: 1, length: 1 };
  return {
    seen, hiddenSize: d, vocabSize: 10, backend: 'rec',
    tokens: { eosId: 0, padId: 1, lvrStartId: 2, lvrId: 3, lvrLatentEndId: 4, lvrEndId: 5, latentIds: [] },
    async prefill(rows) { seen.push([...rows]); const z = new Float32Array(rows.length * d); return { logits: new Float32Array(rows.length * 10), hidden: z, latent: z, cache }; },
    async step() { throw new Error('unused'); },
    release() {},
  };
}

describe('CodebookVisionModel (perception-free vision tower)', () => {
  it('overrides every <|image_pad|> with its cell\'s codebook token and encodes images the same way', async () => {
    const d = 16;
    const cb = symbolCodebook({ dim: d, seed: 1, scale: 1 });
    const board = Int32Array.from({ length: 16 }, (_, i) => (i * 5) % 32);
    const image = { pixelValues: patchifyRgb(renderSymbolImage(board, 9), pre), gridThw: { t: 1, h: 8, w: 8 } };
    const inner = recorder(d);
    const sm = new CodebookVisionModel(inner, cb, { imagePadId: PAD, preprocess: pre });
    const ids = Int32Array.from([8, ...new Array(16).fill(PAD), 8, 8]);
    const extra = { position: 17, vector: new Float32Array(d).fill(2) };
    await sm.prefill([{ inputIds: ids, images: [image], embeddingOverrides: [extra] }]);
    const row = inner.seen[0]![0]!;
    const expected = symbolTokens(cb, board, 9);
    expect(row.embeddingOverrides).toHaveLength(17);
    row.embeddingOverrides!.slice(0, 16).forEach((o, k) => {
      expect(o.position).toBe(k + 1);
      expect([...o.vector]).toEqual([...expected.subarray(k * d, (k + 1) * d)]);
    });
    expect(row.embeddingOverrides![16]).toBe(extra);
    expect([...(await sm.encodeImages([image]))]).toEqual([...expected]);
  });

  it('rejects a prompt whose pad count does not match the board, and a codebook of the wrong width', async () => {
    const cb = symbolCodebook({ dim: 16, seed: 1, scale: 1 });
    const image = { pixelValues: patchifyRgb(renderSymbolImage(new Int32Array(16), 0), pre), gridThw: { t: 1, h: 8, w: 8 } };
    const sm = new CodebookVisionModel(recorder(16), cb, { imagePadId: PAD, preprocess: pre });
    await expect(sm.prefill([{ inputIds: Int32Array.from([PAD, PAD]), images: [image] }])).rejects.toThrow(/2 <\|image_pad\|> tokens for 16/);
    expect(() => new CodebookVisionModel(recorder(8), cb, { imagePadId: PAD, preprocess: pre })).toThrow(/dim 16/);
  });
});

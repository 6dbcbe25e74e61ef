import { describe, expect, it } from 'vitest';
import { addCellCodes, symbolCodebook } from '@lvr/data';
import type { CacheHandle, PrefillRow, StepImage, StepModel } from '@lvr/decoding';
import { CellCodeVisionModel } from './cell-code-vision.js';

const PAD = 7;

/** A model whose "vision tower" returns token i of an image as the constant vector (i + 1). */
function recorder(d: number): StepModel & { seen: PrefillRow[][] } {
  const seen: PrefillRow[][] = [];
  const cache: CacheHandle = { batchSize: 1, length: 1 };
  return {
    seen, hiddenSize: d, vocabSize: 10, backend: 'rec',
    tokens: { eosId: 0, padId: 1, lvrStartId: 2, lvrId: 3, lvrLatentEndId: 4, lvrEndId: 5, latentIds: [] },
    async encodeImages(images: readonly StepImage[]) {
      const n = images.reduce((s, im) => s + (im.gridThw.t * im.gridThw.h * im.gridThw.w) / 4, 0);
      const out = new Float32Array(n * d);
      let r = 0;
      for (const im of images) for (let i = 0; i < (im.gridThw.t * im.gridThw.h * im.gridThw.w) / 4; i++, r++) out.fill(i + 1, r * d, (r + 1) * d);
      return out;
    },
    async prefill(rows) { seen.push([...rows]); const z = new Float32Array(rows.length * d); return { logits: new Float32Array(rows.length * 10), hidden: z, latent: z, cache }; },
    async step() { throw new Error('unused'); },
    release() {},
  };
}

describe('addCellCodes', () => {
  it('adds √3 · cells[i] to token i of every image and rejects images that do not fit the codebook', () => {
    const cb = symbolCodebook({ dim: 4, seed: 3, scale: 1, numCells: 4 });
    const tokens = addCellCodes(new Float32Array(2 * 4 * 4).fill(1), cb, 4);
    for (let r = 0; r < 8; r++) {
      for (let j = 0; j < 4; j++) expect(tokens[r * 4 + j]).toBeCloseTo(1 + Math.sqrt(3) * cb.cells[(r % 4) * 4 + j]!, 6);
    }
    expect(() => addCellCodes(new Float32Array(5 * 4), cb, 5)).toThrow(/5 tokens per image for a codebook of 4 cells/);
    expect(() => addCellCodes(new Float32Array(6 * 4), cb, 4)).toThrow(/not whole images/);
  });
});

describe('CellCodeVisionModel (vision tower + cell position codes)', () => {
  it('feeds the vision tower\'s tokens plus each cell\'s code at the image pads, and encodes images the same way', async () => {
    const d = 8;
    const cb = symbolCodebook({ dim: d, seed: 1, scale: 1 });
    const inner = recorder(d);
    const sm = new CellCodeVisionModel(inner, cb, { imagePadId: PAD, mergeSize: 2 });
    const image: StepImage = { pixelValues: new Float32Array(0), gridThw: { t: 1, h: 8, w: 8 } }; // 16 merged tokens
    const expected = addCellCodes(Float32Array.from({ length: 16 * d }, (_, k) => Math.floor(k / d) + 1), cb, 16);
    expect([...(await sm.encodeImages([image, image]))]).toEqual([...expected, ...expected]);
    const ids = Int32Array.from([8, ...new Array(16).fill(PAD), 8]);
    await sm.prefill([{ inputIds: ids, images: [image] }, { inputIds: Int32Array.from([8, 8]) }]);
    const [row, plain] = inner.seen[0]!;
    expect(row!.embeddingOverrides).toHaveLength(16);
    row!.embeddingOverrides!.forEach((o, k) => {
      expect(o.position).toBe(k + 1);
      expect([...o.vector]).toEqual([...expected.subarray(k * d, (k + 1) * d)]);
    });
    expect(plain!.embeddingOverrides).toBeUndefined();
    await expect(sm.prefill([{ inputIds: Int32Array.from([PAD]), images: [image] }])).rejects.toThrow(/1 <\|image_pad\|> tokens for 16 visual tokens/);
  });

  it('rejects a codebook of the wrong width and a model without visual tokens', () => {
    const cb = symbolCodebook({ dim: 16, seed: 1, scale: 1 });
    expect(() => new CellCodeVisionModel(recorder(8), cb, { imagePadId: PAD, mergeSize: 2 })).toThrow(/dim 16/);
    const { encodeImages: _, ...blind } = recorder(16);
    expect(() => new CellCodeVisionModel(blind, cb, { imagePadId: PAD, mergeSize: 2 })).toThrow(/cannot return visual tokens/);
  });
});

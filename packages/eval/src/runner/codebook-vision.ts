import { LvrError } from '@lvr/core';
import { decodeSymbolRows, symbolTokens, type PreprocessOptions, type ResolvedPreprocessOptions, type SymbolCodebook } from '@lvr/data';
import type { CacheHandle, PrefillRow, StepImage, StepInput, StepModel, StepOutput } from '@lvr/decoding';
import { withImagePadOverrides } from './image-pad-overrides.js';

/**
 * A `StepModel` whose vision tower is a symbol codebook: the perception-free variant of the grid tasks. Each image
 * of a prompt must be a *symbol image* (`renderSymbolImage` in `@lvr/data`); its board is read back from the pixel
 * rows and every `<|image_pad|>` position gets the codebook token of its cell (`symbolTokens`) as an embedding
 * override, so the wrapped model never sees the vision tower's output. `encodeImages` returns the same codebook
 * tokens, which is what the latent probes and pointer feedback compare latents with. Everything else is delegated,
 * so evaluation, probes and latent decoding run unchanged on tfjs or ONNX Runtime.
 *
 * @example
 * const sm = new CodebookVisionModel(inner, symbolCodebook({ dim: 64, seed: 0, scale: 1 }), { imagePadId, preprocess });
 * await evaluateItems({ ...evalModel, stepModel: sm }, items);
 */
export class CodebookVisionModel implements StepModel {
  readonly hiddenSize: number;
  readonly vocabSize: number;
  readonly tokens: StepModel['tokens'];
  readonly latentEndEmbedding: Float32Array | undefined;
  readonly backend: string;

  constructor(
    private readonly inner: StepModel,
    private readonly codebook: SymbolCodebook,
    private readonly o: { imagePadId: number; preprocess: PreprocessOptions | ResolvedPreprocessOptions },
  ) {
    if (codebook.dim !== inner.hiddenSize) {
      throw new LvrError('SHAPE_MISMATCH', `CodebookVisionModel: codebook dim ${codebook.dim} ≠ model hidden size ${inner.hiddenSize}`);
    }
    this.hiddenSize = inner.hiddenSize;
    this.vocabSize = inner.vocabSize;
    this.tokens = inner.tokens;
    this.latentEndEmbedding = inner.latentEndEmbedding;
    this.backend = `${inner.backend}+codebook`;
  }

  /** The codebook tokens of each image, (Σ cells × D) in order. */
  async encodeImages(images: readonly StepImage[]): Promise<Float32Array> {
    return concat(images.map((im) => this.tokensOf(im)));
  }

  async prefill(rows: readonly PrefillRow[]): Promise<StepOutput & { cache: CacheHandle }> {
    const mapped = rows.map((row, r) => {
      const images = row.images ?? [];
      if (images.length === 0) return row;
      return withImagePadOverrides(row, concat(images.map((im) => this.tokensOf(im))), this.hiddenSize, this.o.imagePadId, 'CodebookVisionModel', r);
    });
    return this.inner.prefill(mapped);
  }

  step(cache: CacheHandle, inputs: readonly StepInput[]): Promise<StepOutput> {
    return this.inner.step(cache, inputs);
  }

  release(cache: CacheHandle): void {
    this.inner.release(cache);
  }

  private tokensOf(im: StepImage): Float32Array {
    const { board, markedCell } = decodeSymbolRows(im.pixelValues, im.gridThw, this.o.preprocess);
    return symbolTokens(this.codebook, board, markedCell);
  }
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

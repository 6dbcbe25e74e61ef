import { LvrError } from '@lvr/core';
import { decodeSymbolRows, symbolTokens, type PreprocessOptions, type ResolvedPreprocessOptions, type SymbolCodebook } from '@lvr/data';
import type { StepImage, StepModel } from '@lvr/decoding';
import { VisualTokenOverrideModel } from './image-pad-overrides.js';

/**
 * A `StepModel` whose vision tower is a symbol codebook: the perception-free variant of the grid tasks. Each image
 * of a prompt must be a *symbol image* (`renderSymbolImage` in `@lvr/data`); its board is read back from the pixel
 * rows and every `<|image_pad|>` position gets the codebook token of its cell (`symbolTokens`) as an embedding
 * override, so the wrapped model never sees the vision tower's output. `encodeImages` returns the same codebook
 * tokens, which is what the latent probes and pointer feedback compare latents with. Everything else is delegated
 * (`VisualTokenOverrideModel`), so evaluation, probes and latent decoding run unchanged on tfjs or ONNX Runtime.
 *
 * @example
 * const sm = new CodebookVisionModel(inner, symbolCodebook({ dim: 64, seed: 0, scale: 1 }), { imagePadId, preprocess });
 * await evaluateItems({ ...evalModel, stepModel: sm }, items);
 */
export class CodebookVisionModel extends VisualTokenOverrideModel {
  constructor(
    inner: StepModel,
    private readonly codebook: SymbolCodebook,
    private readonly o: { imagePadId: number; preprocess: PreprocessOptions | ResolvedPreprocessOptions },
  ) {
    if (codebook.dim !== inner.hiddenSize) {
      throw new LvrError('SHAPE_MISMATCH', `CodebookVisionModel: codebook dim ${codebook.dim} ≠ model hidden size ${inner.hiddenSize}`);
    }
    super(inner, o.imagePadId, 'CodebookVisionModel', 'codebook');
  }

  /** The codebook tokens of each image, (Σ cells × D) in order. */
  async encodeImages(images: readonly StepImage[]): Promise<Float32Array> {
    const parts = images.map((im) => {
      const { board, markedCell } = decodeSymbolRows(im.pixelValues, im.gridThw, this.o.preprocess);
      return symbolTokens(this.codebook, board, markedCell);
    });
    const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let off = 0;
    for (const p of parts) { out.set(p, off); off += p.length; }
    return out;
  }
}

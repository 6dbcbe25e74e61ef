import { LvrError } from '@lvr/core';
import { addCellCodes, type SymbolCodebook } from '@lvr/data';
import type { StepImage, StepModel } from '@lvr/decoding';
import { VisualTokenOverrideModel } from './image-pad-overrides.js';

/**
 * A `StepModel` for the `pixels-cell` view of the grid tasks: the wrapped model's own vision tower reads the
 * image, and each merged visual token gets its cell's fixed position code added (`addCellCodes`, the codebook's
 * `cells` rows) — the address a rotary-only ViT leaves out of a token's content. Every `<|image_pad|>` position
 * gets the coded token as an embedding override and `encodeImages` returns the same tokens
 * (`VisualTokenOverrideModel`), so evaluation, probes and pointer feedback see what training saw.
 *
 * @example
 * const sm = new CellCodeVisionModel(inner, symbolCodebook({ dim: 64, seed: 0, scale: 2.1 }), { imagePadId, mergeSize: 2 });
 */
export class CellCodeVisionModel extends VisualTokenOverrideModel {
  private readonly encodeInner: (images: readonly StepImage[]) => Promise<Float32Array>;

  constructor(
    inner: StepModel,
    private readonly codebook: SymbolCodebook,
    private readonly o: { imagePadId: number; mergeSize: number },
  ) {
    if (codebook.dim !== inner.hiddenSize) {
      throw new LvrError('SHAPE_MISMATCH', `CellCodeVisionModel: codebook dim ${codebook.dim} ≠ model hidden size ${inner.hiddenSize}`);
    }
    if (!inner.encodeImages) throw new LvrError('UNSUPPORTED', `CellCodeVisionModel: the ${inner.backend} model cannot return visual tokens`);
    super(inner, o.imagePadId, 'CellCodeVisionModel', 'cells');
    this.encodeInner = inner.encodeImages.bind(inner);
  }

  /** The vision tower's tokens plus each cell's code, (Σ tokens × D) in order. */
  async encodeImages(images: readonly StepImage[]): Promise<Float32Array> {
    const d = this.hiddenSize;
    const m2 = this.o.mergeSize * this.o.mergeSize;
    const tokens = Float32Array.from(await this.encodeInner(images));
    let off = 0;
    for (const im of images) {
      const n = (im.gridThw.t * im.gridThw.h * im.gridThw.w) / m2;
      addCellCodes(tokens.subarray(off * d, (off + n) * d), this.codebook, n);
      off += n;
    }
    if (off * d !== tokens.length) throw new LvrError('SHAPE_MISMATCH', `CellCodeVisionModel: ${tokens.length / d} visual tokens for images of ${off}`);
    return tokens;
  }
}

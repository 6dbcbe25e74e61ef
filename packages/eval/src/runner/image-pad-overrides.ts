import { LvrError } from '@lvr/core';
import type { CacheHandle, PrefillRow, StepImage, StepInput, StepModel, StepOutput } from '@lvr/decoding';

/**
 * A prefill row whose `<|image_pad|>` positions get the given visual tokens as embedding overrides, in order
 * (`tokens`: the row's images' tokens, (Σ tokens × d) concatenated). The row's own overrides are kept after
 * them.
 */
export function withImagePadOverrides(row: PrefillRow, tokens: Float32Array, d: number, imagePadId: number, who: string, r: number): PrefillRow {
  const pads: number[] = [];
  row.inputIds.forEach((id, p) => { if (id === imagePadId) pads.push(p); });
  const total = tokens.length / d;
  if (pads.length !== total) {
    throw new LvrError('SHAPE_MISMATCH', `${who}: row ${r} has ${pads.length} <|image_pad|> tokens for ${total} visual tokens`);
  }
  const overrides = pads.map((position, k) => ({ position, vector: tokens.subarray(k * d, (k + 1) * d) }));
  return { ...row, embeddingOverrides: [...overrides, ...(row.embeddingOverrides ?? [])] };
}

/**
 * A `StepModel` that replaces the wrapped model's visual tokens: subclasses say what an image's tokens are
 * (`encodeImages`); every `<|image_pad|>` of a prompt gets them as embedding overrides and everything else is
 * delegated, so evaluation, probes and latent decoding run unchanged on tfjs or ONNX Runtime. The grid tasks'
 * views are built on it (`CodebookVisionModel`, `CellCodeVisionModel`).
 */
export abstract class VisualTokenOverrideModel implements StepModel {
  readonly hiddenSize: number;
  readonly vocabSize: number;
  readonly tokens: StepModel['tokens'];
  readonly latentEndEmbedding: Float32Array | undefined;
  readonly backend: string;

  protected constructor(
    protected readonly inner: StepModel,
    private readonly imagePadId: number,
    private readonly who: string,
    backendSuffix: string,
  ) {
    this.hiddenSize = inner.hiddenSize;
    this.vocabSize = inner.vocabSize;
    this.tokens = inner.tokens;
    this.latentEndEmbedding = inner.latentEndEmbedding;
    this.backend = `${inner.backend}+${backendSuffix}`;
  }

  /** The replacement visual tokens of the images, (Σ tokens × D) in order. */
  abstract encodeImages(images: readonly StepImage[]): Promise<Float32Array>;

  async prefill(rows: readonly PrefillRow[]): Promise<StepOutput & { cache: CacheHandle }> {
    const mapped: PrefillRow[] = [];
    for (const [r, row] of rows.entries()) {
      const images = row.images ?? [];
      mapped.push(images.length === 0 ? row : withImagePadOverrides(row, await this.encodeImages(images), this.hiddenSize, this.imagePadId, this.who, r));
    }
    return this.inner.prefill(mapped);
  }

  step(cache: CacheHandle, inputs: readonly StepInput[]): Promise<StepOutput> {
    return this.inner.step(cache, inputs);
  }

  release(cache: CacheHandle): void {
    this.inner.release(cache);
  }
}

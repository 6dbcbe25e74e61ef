import { LvrError } from '@lvr/core';
import type { PrefillRow } from '@lvr/decoding';

/**
 * A prefill row whose `<|image_pad|>` positions get the given visual tokens as embedding overrides, in order
 * (`tokens`: the row's images' tokens, (Σ tokens × d) concatenated). The row's own overrides are kept after
 * them. Shared by the vision-tower replacements of the grid-task views (codebook, cell codes).
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

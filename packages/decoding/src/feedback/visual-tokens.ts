import { LvrError } from '@lvr/core';
import type { PrefillRow, StepModel } from '../step-model.js';

/**
 * The visual tokens (n × D) each row's pointer feedback points at: `row.visualTokens` when given, else
 * `model.encodeImages(row.images)`; undefined for a row with neither (its first latent then throws). Rows are
 * encoded one at a time, in order.
 *
 * @throws LvrError `SHAPE_MISMATCH` (a length that is not a non-zero multiple of D), `NUMERIC` (a non-finite value),
 *   `UNSUPPORTED` (images but a model without `encodeImages`).
 */
export async function rowVisualTokens(model: StepModel, rows: readonly PrefillRow[], kind: string): Promise<(Float32Array | undefined)[]> {
  const d = model.hiddenSize;
  const out: (Float32Array | undefined)[] = [];
  for (const [r, row] of rows.entries()) {
    let tokens: Float32Array | undefined;
    let source = 'PrefillRow.visualTokens';
    if (row.visualTokens !== undefined) {
      if (!(row.visualTokens instanceof Float32Array)) {
        throw new LvrError('INVALID_ARGUMENT', `generate: request ${r} visualTokens must be a Float32Array (n × ${d})`, { details: { request: r } });
      }
      tokens = row.visualTokens;
    } else if (row.images !== undefined && row.images.length > 0) {
      if (!model.encodeImages) {
        throw new LvrError('UNSUPPORTED', `generate: latent feedback '${kind}' needs the visual tokens of request ${r}'s images, but the ` +
          `${model.backend} model has no encodeImages; pass PrefillRow.visualTokens instead`, { details: { request: r, kind } });
      }
      tokens = await model.encodeImages(row.images);
      source = `${model.backend} encodeImages`;
    }
    if (tokens !== undefined) {
      if (tokens.length === 0 || tokens.length % d !== 0) {
        throw new LvrError('SHAPE_MISMATCH', `generate: request ${r}'s visual tokens (${source}) have ${tokens.length} values, expected n × ${d} with n ≥ 1`, { details: { request: r } });
      }
      const bad = tokens.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) throw new LvrError('NUMERIC', `generate: request ${r}'s visual tokens (${source}) value ${bad} is ${tokens[bad]}`, { details: { request: r, index: bad } });
    }
    out.push(tokens);
  }
  return out;
}

import { LvrError } from '@lvr/core';
import type { LatentFeedbackConfig } from '@lvr/decoding';
import { param } from '../models/params.js';
import type { MiniQwenVL } from '../models/vlm.js';
import type { LatentFeedbackKind } from '../training/latent-feedback.js';

/**
 * The decoding-side latent feedback (`GenerateOptions.feedback`) of a trained kind: `pause` carries the model's
 * pause table (P × D), the other kinds need nothing.
 *
 * @throws LvrError `CHECKPOINT` for `pause` without a table of P × D values (naming `where`).
 * @example
 * latentFeedbackFor('pointer-argmax'); // { kind: 'pointer-argmax' }
 * latentFeedbackFor('pause', table, hiddenSize, 'runs/a'); // { kind: 'pause', table }
 */
export function latentFeedbackFor(kind: LatentFeedbackKind, pauseTable?: Float32Array, hiddenSize?: number, where = 'model'): LatentFeedbackConfig {
  if (kind !== 'pause') return { kind };
  if (!(pauseTable instanceof Float32Array) || pauseTable.length === 0 || (hiddenSize !== undefined && pauseTable.length % hiddenSize !== 0)) {
    throw new LvrError('CHECKPOINT', `${where}: latent_feedback is "pause" but the model has no pause table lvr_pause_emb (P × ${hiddenSize ?? 'D'})` +
      (pauseTable ? ` (got ${pauseTable.length} values)` : ''), { details: { file: where } });
  }
  return { kind: 'pause', table: pauseTable };
}

/**
 * The latent feedback a loaded tfjs model was trained with (`loadModel(dir).latentFeedback`), with its
 * `lvr_pause_emb` read from the weights for `pause`.
 *
 * @example
 * const loaded = await loadModel('runs/chase/pause');
 * await generate(new TfjsStepModel(loaded.model), requests, { feedback: modelLatentFeedback(loaded.model, loaded.latentFeedback, loaded.dir) });
 */
export function modelLatentFeedback(model: MiniQwenVL, kind: LatentFeedbackKind, where = 'model'): LatentFeedbackConfig {
  if (kind !== 'pause') return { kind };
  const table = model.config.lvr.pauseTokens > 0 ? Float32Array.from(param(model.params, 'lvr_pause_emb').dataSync() as Float32Array) : undefined;
  return latentFeedbackFor(kind, table, model.config.hiddenSize, where);
}

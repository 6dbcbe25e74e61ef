import { LvrError } from '@lvr/core';

/**
 * What a latent step feeds back as the next input embedding (issue 11; shared with `@lvr/decoding`):
 * - `hidden` — the LVR reference: the final hidden state (through the LVR head if any);
 * - `pointer-argmax` — the visual token of the row's image that the latent points at, v_argmax, with pointer
 *   logits_j = latent · v_j / √D (training: teacher-forced ground-truth tokens, as the reference);
 * - `pointer-mix` — Σ_j softmax(logits)_j v_j (training: self-fed, sequential passes);
 * - `pause` — the compute control: the t-th latent of a span gets row min(t, P − 1) of the learned
 *   `lvr_pause_emb` (P × D); nothing visual is fed back.
 *
 * Saved in a model folder's `lvr_training.json` as `"latent_feedback"` (absent = `hidden`).
 */
export type LatentFeedbackKind = 'hidden' | 'pointer-argmax' | 'pointer-mix' | 'pause';

export const LATENT_FEEDBACK_KINDS: readonly LatentFeedbackKind[] = Object.freeze(['hidden', 'pointer-argmax', 'pointer-mix', 'pause']);

/** The field of `lvr_training.json` that records the kind. */
export const LATENT_FEEDBACK_FIELD = 'latent_feedback';

/** True for the two kinds trained with the per-latent pointer cross-entropy by default. */
export function isPointerFeedback(kind: LatentFeedbackKind): kind is 'pointer-argmax' | 'pointer-mix' {
  return kind === 'pointer-argmax' || kind === 'pointer-mix';
}

/**
 * Validates a kind read from options, flags or a file (`CONFIG_INVALID` naming `where`); `undefined` → `hidden`.
 *
 * @example
 * parseLatentFeedback(json.latent_feedback, 'runs/a/lvr_training.json: "latent_feedback"'); // 'hidden' when absent
 */
export function parseLatentFeedback(v: unknown, where = 'latentFeedback'): LatentFeedbackKind {
  if (v === undefined || v === null) return 'hidden';
  if (typeof v === 'string' && (LATENT_FEEDBACK_KINDS as readonly string[]).includes(v)) return v as LatentFeedbackKind;
  throw new LvrError('CONFIG_INVALID', `${where} must be ${LATENT_FEEDBACK_KINDS.join(' | ')}, got ${JSON.stringify(v)}`);
}

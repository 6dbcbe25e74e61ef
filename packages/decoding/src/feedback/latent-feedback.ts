/**
 * Latent feedback: which vector a latent step feeds at the next position. The model's output at a latent position
 * (`StepOutput.latent`, its hidden state through the LVR head if any) is always what stop strategies see; the
 * feedback turns it into the vector actually fed (and recorded in the trace, so RL replay reproduces it exactly).
 * Built-ins (issue 11 contract, `LatentFeedbackKind`):
 * - `hidden` — the reference LVR: feed the latent itself;
 * - `pointer-argmax` — feed the row's visual token v_j with the largest `latent · v_j / √D`;
 * - `pointer-mix` — feed `Σ_j softmax(latent · v / √D)_j v_j`;
 * - `pause` — feed row `min(t, P − 1)` of a learned pause table (P × D), t = the latent's index within its span.
 */

/** The feedback kinds of the issue 11 contract (saved as `"latent_feedback"` in a model folder's lvr_training.json). */
export type LatentFeedbackKind = 'hidden' | 'pointer-argmax' | 'pointer-mix' | 'pause';

export const LATENT_FEEDBACK_KINDS: readonly LatentFeedbackKind[] = Object.freeze(['hidden', 'pointer-argmax', 'pointer-mix', 'pause']);

/** What a feedback receives for every latent vector about to be fed. */
export interface LatentFeedbackContext {
  readonly row: number;
  readonly spanIndex: number;
  /** 0-based index t of this latent within its span. */
  readonly step: number;
  /** The model's latent output (D) of the newest position (do not mutate). */
  readonly latent: Float32Array;
  /** Its final-norm hidden state (D). */
  readonly hidden: Float32Array;
  /**
   * The row's visual tokens, (n × D) row-major: `PrefillRow.visualTokens`, else `StepModel.encodeImages` of the
   * row's images; undefined when the row has neither (pointer feedbacks then throw).
   */
  readonly visualTokens: Float32Array | undefined;
}

/** What a feedback chose. */
export interface LatentFeedbackChoice {
  /** The vector to feed (D); the loop copies it before recording. */
  readonly vector: Float32Array;
  /** Pointer kinds: the index j of the chosen (argmax) visual token; recorded in `LatentSpan.pointer`. */
  readonly pointer?: number | undefined;
}

/**
 * A latent feedback strategy: a plain object with a `kind`, pure in its context (stateless).
 *
 * @example
 * const scaled: LatentFeedback = { kind: 'half', needsVisualTokens: false, feed: (c) => ({ vector: c.latent.map((x) => x / 2) }) };
 * await generate(model, requests, { feedback: scaled });
 */
export interface LatentFeedback {
  readonly kind: string;
  /** True when `feed` reads `ctx.visualTokens` (the loop then gathers them per row before prefill). */
  readonly needsVisualTokens: boolean;
  /** Optional check against the model's hidden size before the first step (throws `CONFIG_INVALID`). */
  check?(hiddenSize: number): void;
  feed(ctx: LatentFeedbackContext): LatentFeedbackChoice;
}

/** A built-in feedback by config; `pause` carries its table. */
export type LatentFeedbackConfig =
  | { readonly kind: 'hidden' }
  | { readonly kind: 'pointer-argmax' }
  | { readonly kind: 'pointer-mix' }
  | { readonly kind: 'pause'; readonly table: Float32Array };

/** True for a ready feedback instance (as opposed to a kind or a config). */
export function isLatentFeedback(v: unknown): v is LatentFeedback {
  return typeof v === 'object' && v !== null && typeof (v as { feed?: unknown }).feed === 'function';
}

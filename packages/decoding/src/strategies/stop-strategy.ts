import type { DecodingTokenIds } from '../step-model.js';

/** A strategy's answer for one row at one decision point. */
export type StopDecision = 'continue' | 'exit';

/**
 * What a strategy needs from the model. The loop checks these before the first step and fails with
 * `CONFIG_INVALID` when the model cannot provide them.
 */
export interface StopStrategyNeeds {
  /** `model.latentEndEmbedding` must exist and have `hiddenSize` values (the `latent-end` strategy). */
  readonly latentEndEmbedding?: boolean;
}

/**
 * Everything a strategy may look at when deciding for one row whether its latent span goes on. The loop asks
 * at every decision point of a span: first right after `<|lvr_start|>` was fed (`steps = 0`), then after each
 * fed latent vector (`steps = 1, 2, …`). "Continue" means: feed `latent` (through the optional probe
 * transform) at the next position. "Exit" means: feed a token there (the sampled one, or `<|lvr_end|>` when
 * the strategy forces it), back in text mode.
 *
 * The span's history is part of the context, so strategies can be pure functions of it.
 */
export interface LatentDecisionContext {
  /** Batch row. */
  readonly row: number;
  /** 0-based index of this span within the row. */
  readonly spanIndex: number;
  /** Latent vectors fed so far in this span (0 at the entry decision). */
  readonly steps: number;
  /**
   * Exactly the vectors fed so far in this span, oldest first (`steps` of them; the last is the newest input): the
   * latent feedback's choices, after any `latentTransform`.
   */
  readonly fedVectors: readonly Float32Array[];
  /** Final-norm hidden state of the newest position (D). */
  readonly hidden: Float32Array;
  /**
   * The model's own latent output for the newest position (D): the vector the next step would feed under the
   * default `hidden` feedback (other feedbacks feed a visual token, a mix or a pause row chosen from it).
   */
  readonly latent: Float32Array;
  /** Raw LM-head logits of the newest position (V). */
  readonly logits: Float32Array;
  /** The token the sampler chose from those logits (the token that resumes text on exit). */
  readonly sampledToken: number;
  /** The model's special token ids. */
  readonly tokens: DecodingTokenIds;
  /** The model's learned `<|lvr_latent_end|>` embedding, when it has one. */
  readonly latentEndEmbedding: Float32Array | undefined;
}

/**
 * A latent stop strategy: decides, per row, when a latent span ends. Implementations are plain objects (no base
 * class), stateless and pure: the context carries the span's history. The loop owns the hard budget: every span
 * ends after at most `min(maxSteps, maxLatentSteps)` fed vectors (stop reason `'budget'`), and every row after
 * `maxNewTokens` generated positions.
 *
 * @example
 * // Stop once the fed latent's L2 norm drops below 0.5 (never more than 12 steps).
 * const normDrop: StopStrategy = {
 *   kind: 'norm-drop',
 *   needs: {},
 *   maxSteps: 12,
 *   decide: (ctx) => {
 *     const v = ctx.fedVectors.at(-1);
 *     return v !== undefined && Math.hypot(...v) < 0.5 ? 'exit' : 'continue';
 *   },
 * };
 */
export interface StopStrategy {
  /** Registry key, e.g. `'fixed'`. */
  readonly kind: string;
  /** Capabilities required from the model, validated before step 0. */
  readonly needs: StopStrategyNeeds;
  /**
   * The strategy's own latent budget per span (e.g. the reference's M for `latent-end`). When the strategy keeps
   * saying "continue", the span ends with stop reason `'budget'` after this many fed vectors. The loop's
   * `maxLatentSteps` caps it in any case.
   */
  readonly maxSteps?: number | undefined;
  /** When true, the token fed right after every span this strategy (or a budget) ends is `<|lvr_end|>`. */
  readonly forceEnd?: boolean | undefined;
  /** The per-row decision (see {@link LatentDecisionContext} for when it is asked). */
  decide(ctx: LatentDecisionContext): StopDecision;
}

import type * as tf from '@tensorflow/tfjs';
import { LvrError, type Rng } from '@lvr/core';
import { gatherRows, stopGradient } from '../ops/gather-rows.js';
import type { EmbedOverride, ForwardInput, MiniQwenVL } from '../models/vlm.js';

/**
 * Self-fed latent training (Coconut-style staging of LVR's teacher forcing). In teacher-forced LVR SFT the
 * input at every `<|lvr|>` is the ground-truth ROI token, but at inference it is the model's own hidden state —
 * the "teacher-forcing shortcut" of the feasibility study. With self-feeding, a latent chosen with probability
 * `p(t)` instead receives the model's own vector for that slot:
 *
 * 1. pass 0 is the teacher-forced forward;
 * 2. pass i (1 … `passes`) feeds every chosen latent k with `latentFromHidden(h_{i−1}[p_k − 1])` — the vector the
 *    model itself produces one position earlier in the previous pass — and the other latents with their ROI
 *    token; the loss (CE and the latent regression) is taken from the last pass.
 *
 * With `passes = 1` (the default) a chosen latent gets the model's prediction *given teacher-forced earlier
 * latents* (one extra forward, the practical approximation). Because attention is causal, pass i is exactly the
 * sequential feedback loop of inference for the first i latents of each span, so `passes ≥ T` reproduces
 * inference exactly when every latent is chosen. `grad: false` stops the gradient at the fed vectors;
 * `grad: true` back-propagates through them into the earlier pass (Coconut).
 */
export interface SelfFeedConfig {
  /** Probability that a latent is self-fed at the start of training, in [0, 1]. */
  from: number;
  /** Probability at the end of the ramp, in [0, 1]. */
  to: number;
  /** Fraction of training at which `to` is reached (linear ramp, then constant), in (0, 1]. Default 1. */
  until: number;
  /** Coconut-style staging: the ramp is quantised into this many equal steps (0 = continuous). Default 0. */
  stages: number;
  /** Back-propagate through the fed vectors (true) or stop-gradient them (false). Default true. */
  grad: boolean;
  /** Self-fed forward passes after the teacher-forced one (see above). Default 1. */
  passes: number;
}

export const DEFAULT_SELF_FEED: Readonly<SelfFeedConfig> = Object.freeze({ from: 0, to: 1, until: 1, stages: 0, grad: true, passes: 1 });

/** Fills defaults and validates (`CONFIG_INVALID` naming the field). */
export function resolveSelfFeed(p: Partial<SelfFeedConfig>): Readonly<SelfFeedConfig> {
  const s = { ...DEFAULT_SELF_FEED, ...p };
  for (const k of ['from', 'to'] as const) {
    if (!(s[k] >= 0 && s[k] <= 1)) throw new LvrError('CONFIG_INVALID', `objective.selfFeed.${k} must be a probability in [0, 1], got ${s[k]}`);
  }
  if (!(s.until > 0 && s.until <= 1)) throw new LvrError('CONFIG_INVALID', `objective.selfFeed.until must be in (0, 1], got ${s.until}`);
  if (!(Number.isInteger(s.stages) && s.stages >= 0)) throw new LvrError('CONFIG_INVALID', `objective.selfFeed.stages must be an integer ≥ 0, got ${s.stages}`);
  if (!(Number.isInteger(s.passes) && s.passes >= 1 && s.passes <= 64)) throw new LvrError('CONFIG_INVALID', `objective.selfFeed.passes must be an integer in 1..64, got ${s.passes}`);
  if (typeof s.grad !== 'boolean') throw new LvrError('CONFIG_INVALID', `objective.selfFeed.grad must be a boolean, got ${String(s.grad)}`);
  return Object.freeze(s);
}

/**
 * The self-feeding probability at training progress `progress` ∈ [0, 1] (step / total steps).
 *
 * @example
 * selfFeedProbability(resolveSelfFeed({ from: 0, to: 1, until: 0.5, stages: 2 }), 0.3); // 0.5
 */
export function selfFeedProbability(c: Readonly<SelfFeedConfig>, progress: number): number {
  let q = Math.min(1, Math.max(0, progress) / c.until);
  if (c.stages > 0) q = Math.min(c.stages, Math.floor(q * c.stages + 1e-9)) / c.stages;
  return c.from + (c.to - c.from) * q;
}

/** Per latent, 1 = self-fed: an independent Bernoulli(p) draw from the step's seeded rng. */
export function chooseSelfFed(n: number, p: number, rng: Rng): Uint8Array {
  const out = new Uint8Array(n);
  if (p <= 0) return out;
  for (let k = 0; k < n; k++) out[k] = p >= 1 || rng.next() < p ? 1 : 0;
  return out;
}

/** What {@link selfFedForward} returns. */
export interface SelfFedOutput {
  /** Final-norm hidden states of the last pass (B·L, D). */
  hidden: tf.Tensor2D;
  /** Visual tokens used (Nv, D). */
  visual: tf.Tensor2D;
  /** The self-fed positions and the vectors fed there in the last pass (empty when nothing was chosen). */
  fed: { positions: Int32Array; rows: tf.Tensor2D | undefined };
}

/**
 * Runs the teacher-forced pass and `passes` self-fed passes (see {@link SelfFeedConfig}). `input.overrides` may
 * hold other overrides (e.g. the latent-end embedding); the LVR ones are built here from `lvr` and `chosen`.
 * Call inside `tf.tidy` / `tf.variableGrads`.
 *
 * @example
 * const { hidden, fed } = selfFedForward(model, input, batch.lvr, chooseSelfFed(n, 1, rng), { grad: true, passes: 1 });
 */
export function selfFedForward(
  model: MiniQwenVL,
  input: ForwardInput,
  lvr: { positions: Int32Array; visualRows: Int32Array },
  chosen: Uint8Array,
  o: { grad: boolean; passes: number },
): SelfFedOutput {
  if (chosen.length !== lvr.positions.length) throw new LvrError('SHAPE_MISMATCH', `selfFedForward: ${chosen.length} choices for ${lvr.positions.length} latents`);
  const extra = input.overrides ?? [];
  const fedPos: number[] = [];
  const keepPos: number[] = [];
  const keepRows: number[] = [];
  lvr.positions.forEach((p, k) => {
    if (chosen[k]) fedPos.push(p);
    else { keepPos.push(p); keepRows.push(lvr.visualRows[k] as number); }
  });
  const teacher: EmbedOverride = { kind: 'visual', positions: lvr.positions, visualRows: lvr.visualRows };
  let out = model.forward({ ...input, overrides: [...extra, teacher] });
  const positions = Int32Array.from(fedPos);
  if (positions.length === 0) return { hidden: out.hidden, visual: out.visual, fed: { positions, rows: undefined } };
  const prev = positions.map((p) => p - 1);
  const keep: EmbedOverride = { kind: 'visual', positions: Int32Array.from(keepPos), visualRows: Int32Array.from(keepRows) };
  let rows: tf.Tensor2D | undefined;
  for (let i = 0; i < o.passes; i++) {
    const own = model.latentFromHidden(gatherRows(out.hidden, prev)); // (n_fed, D)
    rows = o.grad ? own : stopGradient(own);
    out = model.forward({ ...input, visualTokens: out.visual, images: undefined, overrides: [...extra, keep, { kind: 'rows', positions, rows }] });
  }
  return { hidden: out.hidden, visual: out.visual, fed: { positions, rows } };
}

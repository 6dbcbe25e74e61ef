import { LvrError } from '@lvr/core';
import type { GridArm } from '@lvr/model';

/**
 * The arms of the reasoning-task study (issue 11; docs/results.md): all from the same base, on the same fresh
 * items (same seed → same item stream), for the same number of steps. `span` arms put one latent span of k
 * positions before the answer (decoded with `fixed:k`, forced end); they differ only in what is fed there and how
 * it is supervised.
 */
export interface StudyArm {
  name: string;
  label: string;
  arm: GridArm;
  /** The arm puts a latent span of k positions before the answer (decoded `fixed:k`). */
  span: boolean;
  /** Added after the pre-registered design (reported as exploratory; not in the default arm list). */
  exploratory?: boolean;
}

/**
 * The pointer arms' hop-loss curriculum: CE only for the first 30 % of steps, the hop CE rising to λ = 1 by 50 %.
 * Added after the first perception-free run (recorded in docs/results.md): with the hop loss on from step 0 the
 * pointer learnt every hop but the answer readout stayed at chance for all 1500 steps (3 seeds; also with λ 0.3 and with a
 * separate LVR head), while CE alone learns the readout in ≈ 400 steps; with this ramp both form.
 */
const HOP_RAMP: [number, number] = [0.3, 0.5];

/** Coconut-style stage curriculum: 4 stages over the first 75 % of training, then fully self-fed; gradient through the latents. */
const COCONUT = { from: 0, to: 1, until: 0.75, stages: 4, grad: true, passes: 4 } as const;

export const STUDY_ARMS: readonly StudyArm[] = Object.freeze([
  { name: 'sft', label: 'SFT', span: false, arm: { format: 'sft' } },
  { name: 'pause', label: 'Pause-K', span: true, arm: { format: 'lvr', objective: { latentFeedback: 'pause', lvrLambda: 0 } } },
  { name: 'livr', label: 'LIVR K=16', span: false, arm: { format: 'livr', numLatents: 16 } },
  { name: 'lvr-ref', label: 'LVR reference (MSE, hidden fed back)', span: true, arm: { format: 'lvr', objective: { lvrLoss: 'mse', lvrLambda: 0.1 } } },
  { name: 'lvr-selffed', label: 'LVR self-fed (Coconut stages)', span: true, arm: { format: 'lvr', objective: { lvrLoss: 'mse', lvrLambda: 0.1, selfFeed: COCONUT } } },
  { name: 'ptr-argmax', label: 'LVR pointer, argmax fed back', span: true, arm: { format: 'lvr', objective: { latentFeedback: 'pointer-argmax', lvrLambda: 0, hopLambda: 1, hopRamp: HOP_RAMP } } },
  { name: 'ptr-mix', label: 'LVR pointer, mix fed back', span: true, arm: { format: 'lvr', objective: { latentFeedback: 'pointer-mix', lvrLambda: 0, hopLambda: 1, hopRamp: HOP_RAMP } } },
  // The first pre-stated pointer arm (hop loss from step 0), kept so its runs can be reproduced.
  { name: 'ptr-argmax-v1', label: 'LVR pointer-argmax, hop loss from step 0 (superseded)', span: true, exploratory: true, arm: { format: 'lvr', objective: { latentFeedback: 'pointer-argmax', lvrLambda: 0, hopLambda: 1 } } },
  // Exploratory, after the first perception-free run: pointer-argmax learnt to point (per-hop 100 %) but not to answer.
  { name: 'ptr-argmax-mse', label: 'LVR pointer-argmax + MSE λ 0.1 (exploratory)', span: true, exploratory: true, arm: { format: 'lvr', objective: { latentFeedback: 'pointer-argmax', lvrLambda: 0.1, hopLambda: 1 } } },
  { name: 'ptr-argmax-h01', label: 'LVR pointer-argmax, hop λ 0.1 (exploratory)', span: true, exploratory: true, arm: { format: 'lvr', objective: { latentFeedback: 'pointer-argmax', lvrLambda: 0, hopLambda: 0.1 } } },
] as StudyArm[]);

export const ALL_STUDY_ARMS = STUDY_ARMS.map((a) => a.name);
export const DEFAULT_STUDY_ARMS = STUDY_ARMS.filter((a) => !a.exploratory).map((a) => a.name);

/** The arms named in `names` (in study order); an unknown name → `INVALID_ARGUMENT` listing the known ones. */
export function selectStudyArms(names: readonly string[]): StudyArm[] {
  for (const n of names) {
    if (!STUDY_ARMS.some((a) => a.name === n)) {
      throw new LvrError('INVALID_ARGUMENT', `unknown study arm "${n}" (known: ${ALL_STUDY_ARMS.join(', ')})`);
    }
  }
  return STUDY_ARMS.filter((a) => names.includes(a.name));
}

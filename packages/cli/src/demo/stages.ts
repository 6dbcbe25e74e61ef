import type { DemoStage } from './pipeline.js';
import { previewStage } from './stages/preview.js';
import { synthStage } from './stages/synth.js';
import { finetuneStage, pretrainStage, rlStage } from './stages/train.js';
import { evalStage } from './stages/evaluate.js';
import { reportStage } from './stages/report.js';

/**
 * The demo's stages, in order: suite → preview → pre-train the base → fine-tune SFT / LVR / LIVR → GRPO_latent
 * from LVR → evaluate (strategies and probes) → report.
 */
export const DEMO_STAGES: readonly DemoStage[] = Object.freeze([synthStage, previewStage, pretrainStage, finetuneStage, rlStage, evalStage, reportStage]);

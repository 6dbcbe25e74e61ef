import type { DemoStage } from './pipeline.js';
import { previewStage } from './stages/preview.js';
import { synthStage } from './stages/synth.js';

/**
 * The demo's stages, in order. Later issues append pretrain, sft, lvr, livr, eval and report stages here.
 */
export const DEMO_STAGES: readonly DemoStage[] = Object.freeze([synthStage, previewStage]);

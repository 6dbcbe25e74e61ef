import type { DemoStage } from './pipeline.js';
import { previewStage } from './stages/preview.js';
import { synthStage } from './stages/synth.js';
import { finetuneStage, pretrainStage, rlStage } from './stages/train.js';
import { givenBaseStage } from './stages/base.js';
import { probeStage } from './stages/probe.js';
import { chaseStage } from './stages/chase.js';
import { evalStage } from './stages/evaluate.js';
import { reportStage } from './stages/report.js';

/** How the demo gets its base, and whether it runs the GRPO_latent stage. */
export interface DemoStageOptions {
  /** `--pretrain`: pre-train a new base (`pretrain` stage) instead of using `baseDir`. */
  pretrain?: boolean;
  /** The base model folder used without `--pretrain` (default in `lvr demo`: the shipped `models/base`). */
  baseDir?: string;
  /** Include the `rl` stage (GRPO_latent from the LVR model; the `--full` configuration). */
  rl?: boolean;
}

/**
 * The demo's stages, in order: perception suite → preview → base (given, or pre-trained with `--pretrain`) →
 * probe of the base's visual tokens → the chase-k study (SFT, Pause-K, LIVR, LVR reference, LVR pointer-argmax) →
 * fine-tune SFT / LVR / LIVR on the perception task → (GRPO_latent) → evaluate (strategies and probes) → report.
 *
 * @example
 * await runPipeline(demoStages({ baseDir: 'models/base' }), { outDir: 'runs/demo' });
 */
export function demoStages(o: DemoStageOptions = {}): DemoStage[] {
  const base = o.pretrain || !o.baseDir ? pretrainStage : givenBaseStage(o.baseDir);
  return [synthStage, previewStage, base, probeStage, chaseStage, finetuneStage, ...(o.rl ? [rlStage] : []), evalStage, reportStage];
}

/** The default stage list (shipped base placeholder path `models/base`, no RL) — for help texts and listings. */
export const DEMO_STAGES: readonly DemoStage[] = Object.freeze(demoStages({ baseDir: 'models/base' }));

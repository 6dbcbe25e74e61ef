/**
 * Sizes of the demo. `quick` (the default) is tuned to finish well under 15 minutes on 2 cores; `full` is the
 * larger configuration (`lvr demo --full`).
 */
export interface DemoConfig {
  trainCount: number;
  testCount: number;
  pretrainSteps: number;
  pretrainBatch: number;
  /** Most objects per pre-training caption scene (shorter captions = cheaper steps). */
  captionMaxObjects: number;
  finetuneSteps: number;
  finetuneBatch: number;
  /** LVR λ (reference 0.1). */
  lvrLambda: number;
  /** LIVR K. */
  livrLatents: number;
  /** Fixed-step budgets evaluated for LVR (the paper's 4 / 8 / 16). */
  fixedSteps: number[];
  /** Eval batch size. */
  evalBatch: number;
  /** GRPO_latent steps after LVR SFT (0 = skip the RL stage). */
  rlSteps: number;
  /** Prompts per RL step (× group size 8 rollouts). */
  rlPrompts: number;
}

export const DEMO_CONFIGS: Readonly<Record<'quick' | 'full', DemoConfig>> = Object.freeze({
  quick: { trainCount: 2000, testCount: 800, pretrainSteps: 800, pretrainBatch: 32, captionMaxObjects: 8, finetuneSteps: 400, finetuneBatch: 32, lvrLambda: 0.1, livrLatents: 16, fixedSteps: [4, 8, 16], evalBatch: 50, rlSteps: 40, rlPrompts: 2 },
  full: { trainCount: 4000, testCount: 2000, pretrainSteps: 1500, pretrainBatch: 32, captionMaxObjects: 10, finetuneSteps: 1200, finetuneBatch: 32, lvrLambda: 0.1, livrLatents: 16, fixedSteps: [4, 8, 16], evalBatch: 50, rlSteps: 150, rlPrompts: 4 },
});

export function demoConfig(full: boolean): DemoConfig {
  const base = full ? DEMO_CONFIGS.full : DEMO_CONFIGS.quick;
  const env = process.env.LVR_DEMO_SCALE;
  const scale = env ? Number(env) : 1;
  if (!(scale > 0) || scale === 1) return base;
  // LVR_DEMO_SCALE=0.1 shrinks every step count and the data (smoke tests of the whole pipeline).
  const s = (n: number, min: number) => Math.max(min, Math.round(n * scale));
  return { ...base, trainCount: s(base.trainCount, 16), testCount: s(base.testCount, 8), pretrainSteps: s(base.pretrainSteps, 2), finetuneSteps: s(base.finetuneSteps, 2), rlSteps: s(base.rlSteps, 2) };
}

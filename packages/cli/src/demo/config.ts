import type { TaskKind } from '@lvr/data';

/**
 * The chase study the demo runs (issue 11, docs/results.md): the same machinery as
 * `lvr ablate --task chase --view pixels` (`runStudy`), at demo size — one seed, fewer steps and items.
 */
export interface DemoChaseConfig {
  /** Study arms (`chase-arms.ts` names), SFT first. */
  arms: string[];
  /** Hop counts trained on and evaluated (each a task label `chase-k<k>`). */
  hops: number[];
  /** Fine-tuning steps per arm (step-matched). */
  steps: number;
  batchSize: number;
  /** Test items per hop count (every arm answers the same items). */
  testItems: number;
  /** Items per hop count for each Token Replacement Test probe. */
  probeItems: number;
  /** Study jobs (child processes) in flight. */
  jobs: number;
}

/**
 * Sizes of the demo. `quick` (the default) is tuned to finish within 12 minutes on an idle 2-core machine from the
 * shipped base (docs/demo.md has the measured stage times); `full` is the larger configuration (`lvr demo --full`).
 */
export interface DemoConfig {
  /** Perception task(s) of the synthetic suite (the papers' setting). */
  suiteTasks: TaskKind[];
  trainCount: number;
  testCount: number;
  /** `--pretrain` only: steps and batch of the re-trained base. */
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
  /** GRPO_latent steps after LVR SFT (0 = no RL stage). */
  rlSteps: number;
  /** Prompts per RL step (× group size 8 rollouts). */
  rlPrompts: number;
  /** Linear probe of the base's visual tokens (`lvr probe`): scenes fitted on and scored on. */
  probeFitScenes: number;
  probeTestScenes: number;
  chase: DemoChaseConfig;
}

const CHASE_ARMS = ['sft', 'pause', 'livr', 'lvr-ref', 'ptr-argmax'];

export const DEMO_CONFIGS: Readonly<Record<'quick' | 'full', DemoConfig>> = Object.freeze({
  quick: {
    suiteTasks: ['attribute'], trainCount: 1000, testCount: 300, pretrainSteps: 800, pretrainBatch: 32, captionMaxObjects: 8,
    finetuneSteps: 150, finetuneBatch: 32, lvrLambda: 0.1, livrLatents: 16, fixedSteps: [4, 8, 16], evalBatch: 50, rlSteps: 0, rlPrompts: 2,
    probeFitScenes: 200, probeTestScenes: 100,
    chase: { arms: CHASE_ARMS, hops: [1, 3], steps: 300, batchSize: 32, testItems: 300, probeItems: 100, jobs: 3 },
  },
  full: {
    suiteTasks: ['attribute', 'position', 'count', 'pair'], trainCount: 4000, testCount: 2000, pretrainSteps: 1500, pretrainBatch: 32, captionMaxObjects: 10,
    finetuneSteps: 1200, finetuneBatch: 32, lvrLambda: 0.1, livrLatents: 16, fixedSteps: [4, 8, 16], evalBatch: 50, rlSteps: 150, rlPrompts: 4,
    probeFitScenes: 300, probeTestScenes: 200,
    chase: { arms: CHASE_ARMS, hops: [1, 2, 3, 4], steps: 1500, batchSize: 32, testItems: 1000, probeItems: 300, jobs: 2 },
  },
});

export function demoConfig(full: boolean): DemoConfig {
  const base = full ? DEMO_CONFIGS.full : DEMO_CONFIGS.quick;
  const env = process.env.LVR_DEMO_SCALE;
  const scale = env ? Number(env) : 1;
  if (!(scale > 0) || scale === 1) return base;
  // LVR_DEMO_SCALE=0.1 shrinks every step count and the data (smoke tests of the whole pipeline).
  const s = (n: number, min: number) => Math.max(min, Math.round(n * scale));
  return {
    ...base, trainCount: s(base.trainCount, 16), testCount: s(base.testCount, 8), pretrainSteps: s(base.pretrainSteps, 2), finetuneSteps: s(base.finetuneSteps, 2),
    rlSteps: base.rlSteps > 0 ? s(base.rlSteps, 2) : 0, probeFitScenes: s(base.probeFitScenes, 20), probeTestScenes: s(base.probeTestScenes, 10),
    chase: { ...base.chase, steps: s(base.chase.steps, 2), batchSize: Math.min(base.chase.batchSize, s(base.chase.batchSize * 4, 4)), testItems: s(base.chase.testItems, 8), probeItems: s(base.chase.probeItems, 4) },
  };
}

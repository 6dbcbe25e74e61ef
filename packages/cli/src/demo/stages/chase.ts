import { join } from 'node:path';
import { runStudy, type StudyConfig } from '../../study/chase-study.js';
import { STUDY_DEFAULTS } from '../../study/study-options.js';
import { taskLabel } from '../../study/grid-items.js';
import { demoConfig, type DemoChaseConfig } from '../config.js';
import type { DemoContext, DemoStage, StageOutput } from '../pipeline.js';

/** The arm the pre-stated primary endpoint names (docs/results.md): pointer-argmax vs SFT and vs Pause-K. */
export const DEMO_PRIMARY_ARM = 'ptr-argmax';

/** The study configuration of the demo's chase stage (pixels view, one seed = the demo seed). */
export function demoStudyConfig(c: DemoChaseConfig, seed: number): StudyConfig {
  const task = { kind: 'chase' as const, hops: [...c.hops], legend: false };
  const k = c.hops.includes(3) ? 3 : c.hops[c.hops.length - 1]!;
  return {
    task, view: 'pixels', arms: [...c.arms], seeds: 1, firstSeed: seed, steps: c.steps, batchSize: c.batchSize, lr: STUDY_DEFAULTS.lr,
    testHops: [...c.hops], testItems: c.testItems, probeItems: c.probeItems, evalBatch: STUDY_DEFAULTS.evalBatch, jobs: c.jobs,
    primaryArm: DEMO_PRIMARY_ARM, primaryLabel: taskLabel(task, k),
  };
}

/** The `lvr ablate` command line that runs the same study (printed in the study's results.md). */
export function demoStudyCommand(cfg: StudyConfig, baseDir: string, outDir: string): string {
  return ['lvr ablate --task chase --view pixels', `--hops ${cfg.testHops.join(',')}`, `--arms ${cfg.arms.join(',')}`, `--seeds 1 --first-seed ${cfg.firstSeed}`,
    `--steps ${cfg.steps} --batch ${cfg.batchSize} --test-items ${cfg.testItems} --probe-items ${cfg.probeItems} --jobs ${cfg.jobs}`, `--base ${baseDir} --out ${outDir}`].join(' ');
}

/**
 * Demo stage `chase`: the reasoning-task study of issue 11 at demo size — SFT, Pause-K, LIVR, LVR reference and
 * LVR pointer-argmax fine-tuned from the base on fresh chase items (k ∈ the configured hop counts), each evaluated
 * per k with the Token Replacement Test — by `runStudy`, exactly as `lvr ablate --task chase` (resumable jobs as
 * child processes). Writes `<outDir>/chase/` (`results.md`, `chase.json`, `accuracy-vs-k.png`). Provides `chaseDir`.
 */
export const chaseStage: DemoStage = {
  name: 'chase',
  description: 'chase-k study: SFT, Pause-K, LIVR, LVR reference, LVR pointer-argmax from the base; accuracy per k + latent probes',
  requires: ['baseDir'],
  provides: ['chaseDir'],
  async run(ctx: DemoContext): Promise<StageOutput> {
    const cfg = demoStudyConfig(demoConfig(ctx.full).chase, ctx.seed);
    const outDir = join(ctx.outDir, 'chase');
    const baseDir = ctx.artifacts.baseDir!;
    await runStudy(cfg, {
      baseDir, outDir, command: demoStudyCommand(cfg, baseDir, outDir), backend: process.env.LVR_DEMO_BACKEND === 'tfjs' ? 'tfjs' : 'onnx',
      say: (s) => ctx.log.info(s), ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
    });
    return { artifacts: { chaseDir: outDir }, summary: { arms: cfg.arms.length, hops: cfg.testHops.join(','), steps: cfg.steps } };
  },
};

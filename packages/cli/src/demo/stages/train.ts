import { join } from 'node:path';
import { initBackend, pretrainBase } from '@lvr/model';
import { demoConfig } from '../config.js';
import type { DemoContext, DemoStage, StageOutput } from '../pipeline.js';
import { runLvr } from '../subprocess.js';

/** Demo stage: pre-train the miniature base (all weights) on fresh caption scenes. Provides `baseDir`. */
export const pretrainStage: DemoStage = {
  name: 'pretrain',
  description: 'pre-train the miniature Qwen2.5-VL-shaped base on fresh caption scenes',
  requires: ['suiteDir'],
  provides: ['baseDir'],
  async run(ctx: DemoContext): Promise<StageOutput> {
    const cfg = demoConfig(ctx.full);
    await initBackend();
    const outDir = join(ctx.outDir, 'base');
    const r = await pretrainBase({
      tokenizerPath: ctx.artifacts.suiteDir as string, outDir, steps: cfg.pretrainSteps, batchSize: cfg.pretrainBatch,
      seed: ctx.seed, numLatents: cfg.livrLatents, onProgress: ctx.onProgress, trainer: { logEvery: 50 },
      caption: { maxObjects: cfg.captionMaxObjects },
    });
    const last = r.train.history.at(-1);
    r.model.dispose();
    return { artifacts: { baseDir: outDir }, summary: { steps: r.train.step, loss: Number(last?.loss ?? Number.NaN).toFixed(3) } };
  },
};

/**
 * Demo stage: fine-tune SFT, LVR and LIVR from the same base on the same records and steps (data-matched). Each
 * run is an `lvr train` child process (tfjs-wasm is single-threaded: processes use both cores).
 */
export const finetuneStage: DemoStage = {
  name: 'finetune',
  description: 'fine-tune SFT, LVR and LIVR from the base (data-matched; in parallel processes)',
  requires: ['baseDir', 'suiteDir'],
  provides: ['sftDir', 'lvrDir', 'livrDir'],
  async run(ctx: DemoContext): Promise<StageOutput> {
    const cfg = demoConfig(ctx.full);
    const dirs = { sft: join(ctx.outDir, 'sft'), lvr: join(ctx.outDir, 'lvr'), livr: join(ctx.outDir, 'livr') };
    const common = ['--base', ctx.artifacts.baseDir as string, '--data', ctx.artifacts.suiteDir as string, '--steps', String(cfg.finetuneSteps), '--batch', String(cfg.finetuneBatch), '--seed', String(ctx.seed)];
    const job = (mode: 'sft' | 'lvr' | 'livr', extra: string[] = []): Promise<string> =>
      runLvr(['train', '--mode', mode, ...common, '--out', dirs[mode], ...extra], ctx.log, mode);
    ctx.onProgress?.({ status: 'start', task: 'finetune', total: 3 });
    let done = 0;
    const tick = (): void => ctx.onProgress?.({ status: 'progress', task: 'finetune', done: ++done, total: 3 });
    // Three processes on two cores finish sooner (≈1.5 T) than two-then-one (2 T).
    await Promise.all([job('sft').then(tick), job('lvr', ['--lambda', String(cfg.lvrLambda)]).then(tick), job('livr', ['--latents', String(cfg.livrLatents)]).then(tick)]);
    ctx.onProgress?.({ status: 'done', task: 'finetune', done, elapsedMs: 0 });
    return { artifacts: { sftDir: dirs.sft, lvrDir: dirs.lvr, livrDir: dirs.livr }, summary: { steps: cfg.finetuneSteps } };
  },
};

/**
 * Demo stage: a short GRPO_latent run from the LVR SFT model (`lvr rl`): fixed:8 rollouts, G = 8, β = 0.04,
 * rewards = format + accuracy on the suite's training questions. Provides `rlDir` (its reward curve is in the
 * report).
 */
export const rlStage: DemoStage = {
  name: 'rl',
  description: 'GRPO_latent from the LVR model (exact latent replay)',
  requires: ['lvrDir', 'suiteDir'],
  provides: ['rlDir'],
  async run(ctx: DemoContext): Promise<StageOutput> {
    const cfg = demoConfig(ctx.full);
    const out = join(ctx.outDir, 'rl');
    await runLvr(['rl', '--model', ctx.artifacts.lvrDir as string, '--data', ctx.artifacts.suiteDir as string, '--out', out,
      '--steps', String(cfg.rlSteps), '--prompts', String(cfg.rlPrompts), '--group', '8', '--seed', String(ctx.seed)], ctx.log, 'rl');
    return { artifacts: { rlDir: out }, summary: { steps: cfg.rlSteps } };
  },
};

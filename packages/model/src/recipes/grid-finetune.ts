import { Rng, createLogger, type ProgressCallback } from '@lvr/core';
import { configToJson } from '../config.js';
import { train } from '../train/trainer.js';
import { freezeModules } from '../train/param-store.js';
import type { StageConfig, TrainerConfigInput } from '../train/config.js';
import type { TrainBatch } from '../training/batch.js';
import { computeLoss, resolveObjective, type ObjectiveInput } from '../training/objectives.js';
import { gridBatch, gridCodebook, visualTokenScale, centredTokenScale, type GridSequence, type GridTaskSpec, type GridView } from './grid-task-data.js';
import { loadModel, saveModel } from './model-io.js';
import { withPauseTokens } from '../models/pause-embedding.js';
import { LATENT_FEEDBACK_FIELD } from '../training/latent-feedback.js';
import type { RecipeResult } from './pretrain.js';

const log = createLogger('lvr:grid-finetune');

/** One arm of the reasoning-task study: its sequence format and objective (see docs/results.md). */
export interface GridArm {
  /** `sft` (answer only), `lvr` (one latent span of k positions before the answer), `livr` (K latent tokens). */
  format: GridSequence;
  /** Objective knobs (kind follows the format; `latentFeedback`, λs, self-feeding, …). */
  objective?: Omit<ObjectiveInput, 'kind'> | undefined;
  /** LIVR: latent tokens K. Default 16. */
  numLatents?: number | undefined;
  /** Pause-K: distinct learned pause embeddings P (span position t uses row min(t, P − 1)). Default 4. */
  pauseTokens?: number | undefined;
  /** LIVR: fraction of steps in stage 1 (image visible only through the latents). Default 0.4. */
  livrStage1Fraction?: number | undefined;
}

/** Options of {@link gridFinetune}. */
export interface GridFinetuneOptions {
  baseDir: string;
  outDir: string;
  task: GridTaskSpec;
  view: GridView;
  arm: GridArm;
  steps?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  /** Seed of the perception-free codebook (shared by every arm and seed of a study). Default 0. */
  codebookSeed?: number;
  trainer?: Omit<TrainerConfigInput, 'totalSteps' | 'lr' | 'seed' | 'stages'>;
  onProgress?: ProgressCallback;
  resumeFrom?: string;
  signal?: AbortSignal;
}

/**
 * Fine-tunes one arm on fresh task items (ViT and merger frozen, their tokens computed per batch without
 * gradient, or the perception-free codebook's), and saves the model with everything evaluation needs in
 * `lvr_training.json` (`task`, `view`, `codebook`, the objective and latent feedback).
 *
 * @example
 * await gridFinetune({ baseDir: 'models/base', outDir: 'runs/x', view: 'symbols', steps: 1500,
 *   task: { kind: 'chase', hops: [1, 2, 3, 4], legend: false }, arm: { format: 'lvr', objective: { latentFeedback: 'pointer-argmax' } } });
 */
export async function gridFinetune(o: GridFinetuneOptions): Promise<RecipeResult> {
  const loaded = await loadModel(o.baseDir);
  const { tokenizer, tokenizerJson } = loaded;
  const seed = o.seed ?? 0;
  const feedback = o.arm.objective?.latentFeedback ?? 'hidden';
  // Pause-K: one learned pause embedding per latent position of the longest span (a base has none: fresh, seeded).
  const model = feedback === 'pause' ? withPauseTokens(loaded.model, o.arm.pauseTokens ?? 4, seed) : loaded.model;
  const c = model.config;
  const steps = o.steps ?? 1500;
  const batchSize = o.batchSize ?? 32;
  const kind = o.arm.format;
  freezeModules(model.params, ['vision', 'merger']);
  const objective = resolveObjective({ ...(o.arm.objective ?? {}), kind });
  // The codebook's scale is the base's own visual-token norm (fixed draws, so every arm of a study agrees); for the
  // pixels-cell view's position codes, the norm of how far a board's cells differ (centred tokens).
  const codebookSpec = o.view === 'symbols' ? { seed: o.codebookSeed ?? 0, scale: visualTokenScale(model, new Rng('codebook-scale')) }
    : o.view === 'pixels-cell' ? { seed: o.codebookSeed ?? 0, scale: centredTokenScale(model, new Rng('codebook-scale')) }
      : undefined;
  const codebook = codebookSpec ? gridCodebook(c, codebookSpec) : undefined;
  let stages: StageConfig[] | undefined;
  let stage1Steps = 0;
  if (kind === 'livr') {
    stage1Steps = Math.round(steps * (o.arm.livrStage1Fraction ?? 0.4));
    stages = [{ steps: stage1Steps, name: 'bottleneck' }, { steps: steps - stage1Steps, name: 'joint' }].filter((s) => s.steps > 0);
  }
  log.info('fine-tuning on task items', { task: o.task.kind, view: o.view, format: kind, steps, batchSize });
  const result = await train<TrainBatch>({
    params: model.params,
    lossFn: (batch, ctx) => computeLoss(model, batch, objective, { progress: ctx.step / steps, rng: ctx.rng }),
    data: (_i, rng, at) => gridBatch(model, tokenizer, rng, {
      task: o.task, view: o.view, format: kind, batchSize, codebook, numLatents: o.arm.numLatents,
      livrStage: kind === 'livr' ? (at.step < stage1Steps ? 1 : 2) : undefined,
    }),
    config: { warmupRatio: 0.05, ...(o.trainer ?? {}), lr: o.lr ?? 1e-3, seed, ...(stages ? { stages } : { totalSteps: steps }) },
    outDir: o.outDir,
    modelConfig: configToJson(c),
    tokenizerJson,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.resumeFrom ? { resumeFrom: o.resumeFrom } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  await saveModel(o.outDir, model, tokenizerJson, {
    mode: kind, steps: result.step, base: o.baseDir, task: o.task, view: o.view,
    ...(codebookSpec ? { codebook: codebookSpec } : {}),
    ...(kind === 'livr' ? { numLatents: o.arm.numLatents ?? 16 } : {}),
    ...(kind === 'lvr' ? { objective, [LATENT_FEEDBACK_FIELD]: feedback } : {}),
  });
  return { model, tokenizer, tokenizerJson, train: result, outDir: o.outDir };
}

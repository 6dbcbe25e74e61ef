import { join } from 'node:path';
import { LvrError, createLogger, type ProgressCallback } from '@lvr/core';
import { readLvrSftMeta } from '@lvr/data';
import { configToJson } from '../config.js';
import { train } from '../train/trainer.js';
import { freezeModules } from '../train/param-store.js';
import type { StageConfig, TrainerConfigInput } from '../train/config.js';
import { collateTrainBatch } from '../training/collate.js';
import type { TrainBatch } from '../training/batch.js';
import { computeLoss, resolveObjective, type ObjectiveInput } from '../training/objectives.js';
import { parseLatentFeedback, type LatentFeedbackKind } from '../training/latent-feedback.js';
import { withPauseTokens } from '../models/pause-embedding.js';
import { buildFinetuneExamples, encodeImagesOnce, type FinetuneMode } from './finetune-data.js';
import { loadModel, saveModel } from './model-io.js';
import { addLora, mergeLora } from './lora.js';
import type { RecipeResult } from './pretrain.js';
import { EpochSampler } from './sampler.js';

const log = createLogger('lvr:finetune');

/** Fine-tuning recipe shared by SFT, LVR and LIVR (same base, same records, same steps: data-matched). */
export interface FinetuneOptions {
  mode: FinetuneMode;
  /** The base model folder (from `pretrainBase`). */
  baseDir: string;
  /** A folder with `meta.json` in the LVR meta format (the synthetic suite writes one) or the meta file itself. */
  data: string;
  outDir: string;
  steps?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  /**
   * Objective overrides for LVR (loss kind, λ, latent-end, mode-switch, and the variants of
   * docs/training-lvr-variants.md: target space, InfoNCE temperature, self-feeding, pointer loss).
   */
  objective?: Omit<ObjectiveInput, 'kind'>;
  /**
   * LVR: what is fed at the latent inputs (docs/training-lvr-variants.md, "Latent feedback arms"): `hidden` (the
   * reference, default), `pointer-argmax`, `pointer-mix` or `pause`. Overrides `objective.latentFeedback`; saved as
   * `"latent_feedback"` in `lvr_training.json`.
   */
  latentFeedback?: LatentFeedbackKind;
  /** LVR: weight of the per-latent pointer CE (default 1 for the pointer kinds). Overrides `objective.hopLambda`. */
  hopLambda?: number;
  /**
   * LVR `pause`: learned pause embeddings P (`lvr_pause_emb`, P × D). Default: the base's P, else 1 (one `<pause>`
   * vector repeated, as in pause-token training). A base without the table gets a fresh seeded one.
   */
  pauseTokens?: number;
  /** LVR: fixed `<|lvr|>` count per span (omit: the ROI's token count, as the reference). */
  latentCount?: number;
  /** LVR: insert `<|lvr_latent_end|>` like the released reference data. Default true. */
  latentEndToken?: boolean;
  /** LIVR: latent tokens K (≤ those in the tokenizer). Default 16. */
  numLatents?: number;
  /** LIVR: fraction of steps in stage 1 (bottleneck mask); the schedule restarts for stage 2. Default 0.4. */
  livrStage1Fraction?: number;
  /** Also train the vision tower and merger (the papers freeze them; so do we by default). */
  trainVision?: boolean;
  /**
   * LIVR's parameter-efficient option: train only the K latent-token rows of the embedding plus LoRA adapters
   * (rank r, scale α) on the attention projections; the adapters are merged into the weights when saving.
   */
  latentsAndLora?: { r: number; alpha: number } | undefined;
  trainer?: Omit<TrainerConfigInput, 'totalSteps' | 'lr' | 'seed' | 'stages'>;
  onProgress?: ProgressCallback;
  resumeFrom?: string;
  signal?: AbortSignal;
}

/**
 * Fine-tunes a copy of the base model in one of the three modes.
 *
 * @example
 * await finetune({ mode: 'lvr', baseDir: 'runs/demo/base', data: 'runs/demo/suite', outDir: 'runs/demo/lvr', steps: 600 });
 */
export async function finetune(o: FinetuneOptions): Promise<RecipeResult> {
  const seed = o.seed ?? 0;
  const latentFeedback = parseLatentFeedback(o.latentFeedback ?? o.objective?.latentFeedback, 'finetune latentFeedback');
  const objective = resolveObjective({
    ...(o.objective ?? {}), kind: o.mode, latentFeedback,
    ...(o.hopLambda !== undefined ? { hopLambda: o.hopLambda } : {}),
  });
  if (o.pauseTokens !== undefined && !(Number.isInteger(o.pauseTokens) && o.pauseTokens >= 1 && o.pauseTokens <= 4096)) {
    throw new LvrError('CONFIG_INVALID', `finetune pauseTokens must be an integer in 1..4096, got ${o.pauseTokens}`);
  }
  if (o.pauseTokens !== undefined && latentFeedback !== 'pause') throw new LvrError('CONFIG_INVALID', `finetune pauseTokens applies to latentFeedback 'pause', got '${latentFeedback}'`);
  const loaded = await loadModel(o.baseDir);
  const { tokenizer, tokenizerJson } = loaded;
  let model = loaded.model;
  if (o.latentsAndLora) {
    model = addLora(model, { ...o.latentsAndLora, targets: ['q', 'k', 'v', 'o'] }, o.seed ?? 0);
    // Everything frozen except the adapters and the LIVR latent rows of the (tied) embedding.
    for (const e of model.params.values()) { e.trainable = e.module === 'lora'; e.variable.trainable = e.trainable; }
    const emb = model.params.get('model.embed_tokens.weight')!;
    const mask = new Float32Array(model.config.vocabSize);
    for (const id of model.config.tokens.latentIds.slice(0, o.numLatents ?? 16)) mask[id] = 1;
    Object.assign(emb, { trainable: true, decay: false, gradRowMask: mask });
  }
  // Pause-K: a base without lvr_pause_emb gets a fresh seeded table (P = the option, the base's, else 1).
  if (latentFeedback === 'pause') model = withPauseTokens(model, o.pauseTokens ?? (model.config.lvr.pauseTokens || 1), seed);
  const c = model.config;
  const steps = o.steps ?? 600;
  const batchSize = o.batchSize ?? 32;
  if (!o.trainVision && !o.latentsAndLora) freezeModules(model.params, ['vision', 'merger']);
  const metaPath = o.data.endsWith('.json') ? o.data : join(o.data, 'meta.json');
  const entries = await readLvrSftMeta(metaPath, { checkImages: 'none' });
  const records = entries.flatMap((e) => e.records);
  if (records.length === 0) throw new LvrError('DATASET_FORMAT', `${metaPath}: no training records`);
  // The frozen vision tower's tokens are computed once (a trainable one would need pixels every step).
  const images = await encodeImagesOnce(model, records.flatMap((r) => r.images), { onProgress: o.onProgress });
  const examples = buildFinetuneExamples(c, tokenizer, records, images, {
    mode: o.mode, latentCount: o.latentCount, latentEndToken: o.latentEndToken, numLatents: o.numLatents,
  });
  const useCache = !o.trainVision;
  const sampler = new EpochSampler(examples.length, batchSize, seed);
  const lr = o.lr ?? 1e-3;
  let stages: StageConfig[] | undefined;
  let stage1Steps = 0;
  if (o.mode === 'livr') {
    stage1Steps = Math.round(steps * (o.livrStage1Fraction ?? 0.4));
    stages = [{ steps: stage1Steps, name: 'bottleneck' }, { steps: steps - stage1Steps, name: 'joint' }].filter((s) => s.steps > 0);
  }
  log.info(`fine-tuning (${o.mode})`, { records: records.length, steps, batchSize });
  const result = await train<TrainBatch>({
    params: model.params,
    lossFn: (batch, ctx) => computeLoss(model, batch, objective, { progress: ctx.step / steps, rng: ctx.rng }),
    data: (i, _rng, at) => {
      const picked = sampler.batch(i).map((k) => {
        const ex = examples[k]!;
        return useCache ? ex : { seq: ex.seq, images: ex.images.map((im) => ({ gridThw: im.gridThw, pixelValues: images.get(records[k]!.images[0]!)!.pixelValues })) };
      });
      return collateTrainBatch(c, picked, { livrStage: o.mode === 'livr' ? (at.step < stage1Steps ? 1 : 2) : undefined });
    },
    config: {
      warmupRatio: 0.05, ...(o.trainer ?? {}), lr, seed,
      ...(stages ? { stages } : { totalSteps: steps }),
    },
    outDir: o.outDir,
    modelConfig: configToJson(c),
    tokenizerJson,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.resumeFrom ? { resumeFrom: o.resumeFrom } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  if (model.config.lora) model = mergeLora(model);
  await saveModel(o.outDir, model, tokenizerJson, {
    mode: o.mode, steps: result.step, base: o.baseDir, ...(o.mode === 'livr' ? { numLatents: o.numLatents ?? 16 } : {}),
    ...(o.mode === 'lvr' ? { objective, latentCount: o.latentCount ?? null, latent_feedback: objective.latentFeedback } : {}),
    ...(o.latentsAndLora ? { latentsAndLora: o.latentsAndLora } : {}),
  });
  return { model, tokenizer, tokenizerJson, train: result, outDir: o.outDir };
}

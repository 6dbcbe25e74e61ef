import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LvrError, createLogger, type ProgressCallback } from '@lvr/core';
import { LvrTokenizer, addLivrLatentTokens, type CaptionOptions } from '@lvr/data';
import { configToJson } from '../config.js';
import { MiniQwenVL } from '../models/vlm.js';
import { train, type TrainResult } from '../train/trainer.js';
import type { TrainerConfigInput } from '../train/config.js';
import { computeLoss, resolveObjective } from '../training/objectives.js';
import type { TrainBatch } from '../training/batch.js';
import { modelConfigFor } from './model-config.js';
import { saveModel } from './model-io.js';
import { captionBatch } from './pretrain-data.js';
import { MODEL_SIZES, type ModelSize } from './sizes.js';

const log = createLogger('lvr:pretrain');

/** Stage-0 recipe: caption pre-training of the whole miniature VLM (ViT, merger, LM) on fresh scenes. */
export interface PretrainOptions {
  /** Folder with the suite's `tokenizer.json` (a word-level tokenizer with the LVR tokens). */
  tokenizerPath: string;
  /** Run folder: final model (config.json, model.safetensors, tokenizer.json), metrics.jsonl, loss_curve.png, checkpoints. */
  outDir: string;
  size?: keyof typeof MODEL_SIZES | ModelSize;
  /** LIVR latent tokens added to the vocabulary now, so every fine-tuned model shares it. Default 16. */
  numLatents?: number;
  steps?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  caption?: CaptionOptions;
  trainer?: Omit<TrainerConfigInput, 'totalSteps' | 'lr' | 'seed'>;
  onProgress?: ProgressCallback;
  resumeFrom?: string;
  signal?: AbortSignal;
}

export interface RecipeResult {
  model: MiniQwenVL;
  tokenizer: LvrTokenizer;
  tokenizerJson: Record<string, unknown>;
  train: TrainResult;
  outDir: string;
}

async function readTokenizerJson(path: string): Promise<Record<string, unknown>> {
  const file = path.endsWith('.json') ? path : join(path, 'tokenizer.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new LvrError('TOKENIZER', `could not read ${file}`, { cause, details: { file } });
  }
}

/**
 * Pre-trains the base model all fine-tuning modes start from (the papers start from Qwen2.5-VL-Instruct).
 *
 * @example
 * const { model } = await pretrainBase({ tokenizerPath: 'runs/demo/suite', outDir: 'runs/demo/base', steps: 600 });
 */
export async function pretrainBase(o: PretrainOptions): Promise<RecipeResult> {
  const tokenizerJson = addLivrLatentTokens(await readTokenizerJson(o.tokenizerPath), o.numLatents ?? 16);
  const tokenizer = LvrTokenizer.fromJson(tokenizerJson);
  const size = typeof o.size === 'object' ? o.size : MODEL_SIZES[o.size ?? 'demo'];
  const config = modelConfigFor(size, tokenizer);
  const seed = o.seed ?? 0;
  const model = MiniQwenVL.create(config, { seed });
  const objective = resolveObjective({ kind: 'base' });
  const batchSize = o.batchSize ?? 32;
  log.info('pre-training the base model', { steps: o.steps ?? 600, batchSize, vocab: config.vocabSize });
  const result = await train<TrainBatch>({
    params: model.params,
    lossFn: (batch) => computeLoss(model, batch, objective),
    data: (_i, rng) => captionBatch(config, tokenizer, rng, batchSize, o.caption ?? {}),
    config: { warmupRatio: 0.05, ...(o.trainer ?? {}), totalSteps: o.steps ?? 600, lr: o.lr ?? 2e-3, seed },
    outDir: o.outDir,
    modelConfig: configToJson(config),
    tokenizerJson,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.resumeFrom ? { resumeFrom: o.resumeFrom } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  await saveModel(o.outDir, model, tokenizerJson, { mode: 'base', steps: result.step, numLatents: o.numLatents ?? 16 });
  return { model, tokenizer, tokenizerJson, train: result, outDir: o.outDir };
}

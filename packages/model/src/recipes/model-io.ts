import { LvrError } from '@lvr/core';
import { LvrTokenizer } from '@lvr/data';
import { assignParams, loadCheckpoint, saveCheckpoint } from '../io/checkpoint.js';
import { configFromJson, configToJson } from '../config.js';
import { initParams } from '../models/params.js';
import { MiniQwenVL } from '../models/vlm.js';
import { Rng } from '@lvr/core';

/** A model with its tokenizer, as stored in an HF-style folder. */
export interface LoadedModel {
  model: MiniQwenVL;
  tokenizer: LvrTokenizer;
  tokenizerJson: Record<string, unknown>;
  dir: string;
}

/**
 * Writes `config.json`, `model.safetensors` (PyTorch layout) and `tokenizer.json` into `dir` (atomically).
 *
 * @example
 * await saveModel('runs/demo/base', model, tokenizer.json);
 */
export async function saveModel(dir: string, model: MiniQwenVL, tokenizerJson: object): Promise<void> {
  await saveCheckpoint(dir, { config: configToJson(model.config), params: model.params, tokenizerJson });
}

/**
 * Loads a model folder (or a training checkpoint folder) written by `saveModel` / the trainer.
 *
 * @example
 * const { model, tokenizer } = await loadModel('runs/demo/lvr');
 */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const ckpt = await loadCheckpoint(dir);
  const config = configFromJson(ckpt.config, `${dir}/config.json`);
  if (ckpt.tokenizerJson === undefined || typeof ckpt.tokenizerJson !== 'object') {
    throw new LvrError('CHECKPOINT', `${dir}: tokenizer.json is missing`, { details: { file: dir } });
  }
  const tokenizerJson = ckpt.tokenizerJson as Record<string, unknown>;
  const tokenizer = LvrTokenizer.fromJson(tokenizerJson, undefined, `${dir}/tokenizer.json`);
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new LvrError('CHECKPOINT', `${dir}: tokenizer has ${tokenizer.vocabSize} ids but the model's vocab_size is ${config.vocabSize}`);
  }
  const params = initParams(config, new Rng(0));
  try {
    assignParams(params, ckpt.params, { file: dir });
  } catch (e) {
    for (const p of params.values()) p.variable.dispose();
    throw e;
  }
  return { model: MiniQwenVL.fromParams(config, params), tokenizer, tokenizerJson, dir };
}

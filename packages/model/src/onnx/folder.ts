import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LvrError, isLvrError } from '@lvr/core';
import { LvrTokenizer, readTokenizerConfig, type PreprocessOptions } from '@lvr/data';
import { configFromJson, type ModelConfig } from '../config.js';
import { decodeSafetensors } from '../io/safetensors.js';
import type { LatentFeedbackConfig } from '@lvr/decoding';
import { latentFeedbackFor } from '../inference/latent-feedback-config.js';
import type { TrainingInfo } from '../recipes/model-io.js';
import { parseLatentFeedback } from '../training/latent-feedback.js';
import { ONNX_FILES } from './contract.js';
import { preprocessOptionsFromJson } from './preprocessor-config.js';

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LvrError(code === 'ENOENT' ? 'CHECKPOINT' : 'IO_ERROR', `${path}: ${code === 'ENOENT' ? `${what} is missing` : (e as Error).message}`, { cause: e, details: { file: path } });
  }
}

async function readJson(path: string, what: string): Promise<Record<string, unknown>> {
  const text = new TextDecoder().decode(await readBytes(path, what));
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new LvrError('CHECKPOINT', `${path}: invalid JSON: ${(e as Error).message}`, { cause: e, details: { file: path } });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new LvrError('CHECKPOINT', `${path}: must hold a JSON object`, { details: { file: path } });
  return v as Record<string, unknown>;
}

/** The model-level contents of an ONNX folder the step model needs (no sessions). */
export interface OnnxFolderModel {
  readonly config: Readonly<ModelConfig>;
  /** The learned `<|lvr_latent_end|>` embedding when the config has one. */
  readonly latentEndEmbedding: Float32Array | undefined;
  /** The pause embeddings `lvr_pause_emb` (P × D) when the config has `lvr_pause_tokens` > 0. */
  readonly pauseEmbeddings: Float32Array | undefined;
}

/**
 * Reads config.json (and lvr_extras.safetensors when the config declares a latent-end embedding,
 * pause_embeddings.safetensors when it declares pause tokens).
 *
 * @throws LvrError `CHECKPOINT` naming the missing or malformed file.
 */
export async function readOnnxFolderModel(dir: string): Promise<OnnxFolderModel> {
  const cfgPath = join(dir, ONNX_FILES.config);
  const config = configFromJson(await readJson(cfgPath, 'config.json'), cfgPath);
  let latentEndEmbedding: Float32Array | undefined;
  if (config.lvr.latentEndEmbedding) {
    const path = join(dir, ONNX_FILES.extras);
    const t = decodeSafetensors(await readBytes(path, `${ONNX_FILES.extras} (the config declares lvr_latent_end_embedding)`), { file: path }).tensors.lvr_latent_end_emb;
    if (!t || t.data.length !== config.hiddenSize || !(t.data instanceof Float32Array)) {
      throw new LvrError('CHECKPOINT', `${path}: tensor "lvr_latent_end_emb" must be float32 of ${config.hiddenSize} values`, { details: { file: path } });
    }
    latentEndEmbedding = t.data;
  }
  let pauseEmbeddings: Float32Array | undefined;
  const p = config.lvr.pauseTokens;
  if (p > 0) {
    const path = join(dir, ONNX_FILES.pause);
    const t = decodeSafetensors(await readBytes(path, `${ONNX_FILES.pause} (the config declares lvr_pause_tokens = ${p})`), { file: path }).tensors.lvr_pause_emb;
    if (!t || t.data.length !== p * config.hiddenSize || !(t.data instanceof Float32Array)) {
      throw new LvrError('CHECKPOINT', `${path}: tensor "lvr_pause_emb" must be float32 of ${p} × ${config.hiddenSize} values`, { details: { file: path } });
    }
    pauseEmbeddings = t.data;
  }
  return { config, latentEndEmbedding, pauseEmbeddings };
}

/** Everything a CLI needs from an ONNX model folder besides the sessions. */
export interface OnnxFolderAssets extends OnnxFolderModel {
  readonly tokenizer: LvrTokenizer;
  readonly tokenizerJson: Record<string, unknown>;
  /** Image preprocessing read from preprocessor_config.json. */
  readonly preprocess: PreprocessOptions;
  /** lvr_training.json when present (how to prompt the model). */
  readonly training: TrainingInfo | undefined;
  /**
   * What the model's latent steps feed back (`GenerateOptions.feedback`): lvr_training.json's `"latent_feedback"`
   * (absent = `hidden`), with the pause table for `pause`.
   */
  readonly latentFeedback: LatentFeedbackConfig;
}

/**
 * Reads config.json, tokenizer.json, preprocessor_config.json (and lvr_training.json, extras) of an ONNX model
 * folder: everything `lvr infer --backend onnx` needs besides the sessions, without loading tfjs weights.
 *
 * @throws LvrError `CHECKPOINT` / `TOKENIZER` / `CONFIG_INVALID` naming the file.
 * @example
 * const { tokenizer, preprocess } = await readOnnxFolder('runs/demo/onnx');
 */
export async function readOnnxFolder(dir: string): Promise<OnnxFolderAssets> {
  const model = await readOnnxFolderModel(dir);
  const tokPath = join(dir, ONNX_FILES.tokenizer);
  const tokenizerJson = await readJson(tokPath, 'tokenizer.json');
  const tokenizer = LvrTokenizer.fromJson(tokenizerJson, await readTokenizerConfig(dir), tokPath);
  if (tokenizer.vocabSize > model.config.vocabSize) {
    throw new LvrError('CHECKPOINT', `${tokPath}: tokenizer has ${tokenizer.vocabSize} ids but the model's vocab_size is ${model.config.vocabSize}`, { details: { file: tokPath } });
  }
  const prePath = join(dir, ONNX_FILES.preprocessor);
  const preprocess = preprocessOptionsFromJson(await readJson(prePath, 'preprocessor_config.json'), prePath);
  const trainPath = join(dir, ONNX_FILES.training);
  let training: TrainingInfo | undefined;
  try {
    training = (await readJson(trainPath, ONNX_FILES.training)) as TrainingInfo;
  } catch (e) {
    if (!(isLvrError(e) && e.code === 'CHECKPOINT' && /is missing$/.test(e.message))) throw e;
  }
  const kind = parseLatentFeedback(training?.latent_feedback, `${trainPath}: "latent_feedback"`);
  const latentFeedback = latentFeedbackFor(kind, model.pauseEmbeddings, model.config.hiddenSize, dir);
  return { ...model, tokenizer, tokenizerJson, preprocess, training, latentFeedback };
}

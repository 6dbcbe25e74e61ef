import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { join } from 'node:path';
import { LvrError, writeJsonAtomic } from '@lvr/core';
import {
  EOS_TOKEN,
  IMAGE_PAD_TOKEN,
  LVR_END_TOKEN,
  LVR_LATENT_END_TOKEN,
  LVR_START_TOKEN,
  LVR_TOKEN,
  LvrTokenizer,
  oneOf,
  PAD_TOKEN,
  parseWith,
  VISION_END_TOKEN,
  VISION_START_TOKEN,
  readTokenizerConfig,
} from '@lvr/data';
import { assignParams, CHECKPOINT_FILES, checkTensorSet, loadCheckpoint, saveCheckpoint, type ExpectedTensor } from '../io/checkpoint.js';
import { configFromJson, configToJson, type ModelConfig, type ModelConfigOptions } from '../config.js';
import { initParams, parameterSpecs } from '../models/params.js';
import { MiniQwenVL } from '../models/vlm.js';
import { Rng } from '@lvr/core';
import { parseLatentFeedback, type LatentFeedbackKind } from '../training/latent-feedback.js';

/** A model with its tokenizer, as stored in an HF-style folder. */
export interface LoadedModel {
  model: MiniQwenVL;
  tokenizer: LvrTokenizer;
  tokenizerJson: Record<string, unknown>;
  dir: string;
  /** How the model was trained (`lvr_training.json`), when the folder has it. */
  training?: TrainingInfo | undefined;
  /** What its latent steps feed back: `lvr_training.json`'s `"latent_feedback"` (absent file or field = `hidden`). */
  latentFeedback: LatentFeedbackKind;
}

/** The training modes `lvr_training.json` may name. */
export const TRAINING_MODES = Object.freeze(['base', 'sft', 'lvr', 'livr', 'rl'] as const);

/** `lvr_training.json`: the training mode of a model folder, so inference prompts it the way it was trained. */
export interface TrainingInfo {
  mode: (typeof TRAINING_MODES)[number];
  /** LIVR: latent tokens appended to the question. */
  numLatents?: number | undefined;
  /** LVR: what a latent step feeds back (absent = `hidden`, the reference). */
  latent_feedback?: LatentFeedbackKind | undefined;
  [key: string]: unknown;
}

export const TRAINING_INFO_FILE = 'lvr_training.json';

/**
 * Writes `config.json`, `model.safetensors` (PyTorch layout) and `tokenizer.json` into `dir` (atomically), and
 * `lvr_training.json` when `training` is given — with `"latent_feedback"` (checked) when the fine-tune set it.
 *
 * @example
 * await saveModel('runs/demo/base', model, tokenizer.json);
 */
export async function saveModel(dir: string, model: MiniQwenVL, tokenizerJson: object, training?: TrainingInfo): Promise<void> {
  if (training?.latent_feedback !== undefined) {
    const kind = parseLatentFeedback(training.latent_feedback, `saveModel ${dir}: training.latent_feedback`);
    if (kind === 'pause' && model.config.lvr.pauseTokens === 0) throw new LvrError('CONFIG_INVALID', `saveModel ${dir}: latent_feedback "pause" needs a model with lvr_pause_emb (lvr.pauseTokens ≥ 1)`);
  }
  await saveCheckpoint(dir, { config: configToJson(model.config), params: model.params, tokenizerJson });
  if (training) await writeJsonAtomic(join(dir, TRAINING_INFO_FILE), training);
}

/** `lvr_training.json`: an object with a known `mode`; other fields are kept as written. */
const trainingInfoSchema = z.looseObject({ mode: oneOf(TRAINING_MODES) });

async function readTrainingInfo(dir: string): Promise<TrainingInfo | undefined> {
  const file = join(dir, TRAINING_INFO_FILE);
  let info: unknown;
  try {
    info = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LvrError('CHECKPOINT', `${file}: unreadable`, { cause });
  }
  return parseWith(trainingInfoSchema, info, { code: 'CHECKPOINT', where: file, details: { file } }) as TrainingInfo;
}

/**
 * The special-token ids config.json stores must be the tokenizer's: a swapped pair (e.g. `<|image_pad|>`
 * and `<|vision_start|>`) would otherwise load and fail much later with a misleading shape error.
 */
function checkTokenIds(config: Readonly<ModelConfig>, tokenizer: LvrTokenizer, dir: string): void {
  const s = tokenizer.special;
  const t = config.tokens;
  const pairs: [field: string, configId: number, token: string, tokenizerId: number | undefined][] = [
    ['image_token_id', t.imagePadId, IMAGE_PAD_TOKEN, s.imagePad],
    ['vision_start_token_id', t.visionStartId, VISION_START_TOKEN, s.visionStart],
    ['vision_end_token_id', t.visionEndId, VISION_END_TOKEN, s.visionEnd],
    ['eos_token_id', t.eosId, EOS_TOKEN, s.eos],
    ['pad_token_id', t.padId, PAD_TOKEN, s.pad],
    ['lvr_start_id', t.lvrStartId, LVR_START_TOKEN, s.lvrStart],
    ['lvr_id', t.lvrId, LVR_TOKEN, s.lvr],
    ['lvr_latent_end_id', t.lvrLatentEndId, LVR_LATENT_END_TOKEN, s.lvrLatentEnd],
    ['lvr_end_id', t.lvrEndId, LVR_END_TOKEN, s.lvrEnd],
  ];
  const wrong = pairs
    .filter(([, configId, , tokenizerId]) => configId !== tokenizerId)
    .map(([field, configId, token, tokenizerId]) => `${field} is ${configId} but ${token} is ${tokenizerId ?? 'missing'}`);
  if (t.latentIds.join() !== s.livrLatents.join()) {
    wrong.push(`latent_token_ids is [${t.latentIds.join(', ')}] but the <|latent_k|> tokens are [${s.livrLatents.join(', ')}]`);
  }
  if (wrong.length > 0) {
    throw new LvrError('CHECKPOINT', `${dir}: config.json and tokenizer.json disagree: ${wrong.join('; ')}`, { details: { file: dir } });
  }
}

/** Options of {@link loadModel}. */
export type LoadModelOptions = ModelConfigOptions;

/**
 * Loads a model folder (or a training checkpoint folder) written by `saveModel` / the trainer. config.json is
 * validated in full (types, ranges, invariants, the parameter cap `maxParameters`) and the safetensors tensors
 * are compared with the shapes it implies before any tensor is created.
 *
 * @example
 * const { model, tokenizer } = await loadModel('runs/demo/lvr');
 */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const ckpt = await loadCheckpoint(dir);
  const config = configFromJson(ckpt.config, join(dir, CHECKPOINT_FILES.config), options);
  if (ckpt.tokenizerJson === undefined || typeof ckpt.tokenizerJson !== 'object') {
    throw new LvrError('CHECKPOINT', `${dir}: tokenizer.json is missing`, { details: { file: dir } });
  }
  const tokenizerJson = ckpt.tokenizerJson as Record<string, unknown>;
  const tokenizer = LvrTokenizer.fromJson(tokenizerJson, await readTokenizerConfig(dir), `${dir}/tokenizer.json`, config.vocabSize);
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new LvrError('CHECKPOINT', `${dir}: tokenizer has ${tokenizer.vocabSize} ids but the model's vocab_size is ${config.vocabSize}`);
  }
  checkTokenIds(config, tokenizer, dir);
  const training = await readTrainingInfo(dir);
  const latentFeedback = parseLatentFeedback(training?.latent_feedback, `${join(dir, TRAINING_INFO_FILE)}: "latent_feedback"`);
  if (latentFeedback === 'pause' && config.lvr.pauseTokens === 0) {
    throw new LvrError('CHECKPOINT', `${dir}: latent_feedback is "pause" but config.json has no lvr_pause_tokens (no lvr_pause_emb)`);
  }
  const expected = new Map<string, ExpectedTensor>(parameterSpecs(config).map((s) => [s.name, { shape: s.shape, dtype: 'float32' }]));
  checkTensorSet(expected, ckpt.params, { file: join(dir, CHECKPOINT_FILES.model), expectedFrom: `but ${CHECKPOINT_FILES.config} implies` });
  const params = initParams(config, new Rng(0));
  try {
    assignParams(params, ckpt.params, { file: dir });
  } catch (e) {
    for (const p of params.values()) p.variable.dispose();
    throw e;
  }
  return { model: MiniQwenVL.fromParams(config, params), tokenizer, tokenizerJson, dir, training, latentFeedback };
}

import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LvrError, createLogger, writeFileAtomic, writeJsonAtomic, type ProgressCallback } from '@lvr/core';
import type { LvrTokenizer } from '@lvr/data';
import { parseStrategySpec, vocabPaddingIds, type StopStrategyConfig } from '@lvr/decoding';
import { grpoConfigToJson, resolveGrpoConfig, type GrpoConfig, type GrpoConfigInput, type RolloutPrompt } from '@lvr/rl';
import { configToJson } from '../config.js';
import { CHECKPOINT_FILES } from '../io/checkpoint.js';
import type { MiniQwenVL } from '../models/vlm.js';
import { loadModel, saveModel } from '../recipes/model-io.js';
import { EpochSampler } from '../recipes/sampler.js';
import type { TrainerConfigInput } from '../train/config.js';
import { freezeModules } from '../train/param-store.js';
import { resolveResumeDir } from '../train/checkpointing.js';
import { train, type TrainResult } from '../train/trainer.js';
import { prepareRolloutPrompts, readGrpoPrompts } from './prompt-data.js';
import { writeRewardCurvePng } from './reward-curve.js';
import { makeRlBatch, rlLoss, type RlBatch, type RlBatchContext } from './rl-batch.js';

const log = createLogger('lvr:rl');

/** Options of {@link grpoLatent}. Fields that are also in `GrpoConfig` override `grpo`. */
export interface GrpoLatentOptions {
  /** The starting model folder (after LVR SFT); the frozen reference model is loaded from it too. */
  modelDir: string;
  /** GRPO JSON, a synthetic suite folder or an LVR SFT meta file (see `readGrpoPrompts`). */
  data: string;
  /** Suite folders: `train` (default) or `test` questions. */
  split?: 'train' | 'test';
  /** Image folder of a GRPO JSON file (default: its folder). */
  imageFolder?: string;
  /** Use at most this many prompts (the first ones). */
  maxPrompts?: number;
  outDir: string;
  /** Optimizer steps. Default 50. */
  steps?: number;
  groupSize?: number;
  promptsPerStep?: number;
  /** Rollout stop strategy, as a spec (`fixed:8`, `latent-end:0.02:16`) or a config. Default `fixed:8`. */
  strategy?: string | StopStrategyConfig;
  beta?: number;
  mu?: number;
  /** Peak learning rate. Default 1e-4 (the reference's 5e-6 is for a 3B model). */
  lr?: number;
  /** Seeds the trainer Rng (prompt order and rollout seeds). Default 0. */
  seed?: number;
  /** Every other GRPO setting (sampler, maxNewTokens, lossType, maskRule, rewards, …). */
  grpo?: GrpoConfigInput;
  trainer?: Omit<TrainerConfigInput, 'totalSteps' | 'lr' | 'seed'>;
  /** Also train the vision tower and merger (frozen by default, like the reference). */
  trainVision?: boolean;
  /** Write every completion with its rewards to `completions.jsonl`. Default true. */
  logCompletions?: boolean;
  onProgress?: ProgressCallback;
  resumeFrom?: string;
  signal?: AbortSignal;
}

/** What {@link grpoLatent} returns. The caller owns (and should dispose) `model`. */
export interface GrpoLatentResult {
  model: MiniQwenVL;
  tokenizer: LvrTokenizer;
  tokenizerJson: Record<string, unknown>;
  train: TrainResult;
  outDir: string;
  config: Readonly<GrpoConfig>;
  /** Path of `reward_curve.png`. */
  rewardCurve: string;
}

function strategyOf(s: string | StopStrategyConfig | undefined): StopStrategyConfig | undefined {
  if (s === undefined) return undefined;
  if (typeof s !== 'string') return s;
  try {
    return parseStrategySpec(s);
  } catch (cause) {
    throw new LvrError('CONFIG_INVALID', `grpoLatent: strategy ${JSON.stringify(s)}: ${(cause as Error).message}`, { cause });
  }
}

/**
 * GRPO_latent (lvr-reference.md §5) on a trained LVR model: every μ steps, G rollouts per prompt through
 * `@lvr/decoding` with per-row traces; rewards → group advantages; one teacher-forced replay per model (policy
 * with gradient, old policy when μ > 1, frozen reference when β > 0) that places the recorded latent vectors where
 * they were fed; clipped-ratio + k3-KL loss; AdamW through the shared trainer (checkpoints, exact resume when
 * checkpoints fall on multiples of μ). Writes `metrics.jsonl`, `reward_curve.png`, `loss_curve.png`,
 * `completions.jsonl`, `grpo_config.json`, `checkpoint-<step>/` and the final model into `outDir`.
 *
 * @example
 * const r = await grpoLatent({ modelDir: 'runs/demo/lvr', data: 'runs/demo/suite', outDir: 'runs/demo/rl', steps: 40 });
 * r.train.history.at(-1)?.['reward/mean'];
 * r.model.dispose();
 */
export async function grpoLatent(o: GrpoLatentOptions): Promise<GrpoLatentResult> {
  const { model, tokenizer, tokenizerJson, latentFeedback } = await loadModel(o.modelDir);
  let ref: MiniQwenVL | undefined;
  try {
    const c = model.config;
    const t = c.tokens;
    // Ids the model can emit but that mean nothing in a completion: image / vision / pad ids and rows of the
    // embedding beyond the tokenizer (the vocabulary is rounded up).
    const beyond = vocabPaddingIds(c.vocabSize, tokenizer.vocabSize);
    const strategy = strategyOf(o.strategy);
    const g = o.grpo ?? {};
    const config = resolveGrpoConfig({
      ...g,
      ...(o.groupSize !== undefined ? { groupSize: o.groupSize } : {}),
      ...(o.promptsPerStep !== undefined ? { promptsPerStep: o.promptsPerStep } : {}),
      ...(strategy !== undefined ? { strategy } : {}),
      ...(o.beta !== undefined ? { beta: o.beta } : {}),
      ...(o.mu !== undefined ? { mu: o.mu } : {}),
      suppressIds: [...(g.suppressIds ?? []), t.padId, t.imagePadId, t.visionStartId, t.visionEndId, ...beyond],
    });
    const steps = o.steps ?? 50;
    const ckEvery = o.trainer?.checkpointEvery ?? 0;
    if (ckEvery % config.mu !== 0) {
      throw new LvrError('CONFIG_INVALID', `grpoLatent: trainer.checkpointEvery (${ckEvery}) must be a multiple of mu (${config.mu}) so a ` +
        'resumed run starts on fresh rollouts', { details: { field: 'trainer.checkpointEvery' } });
    }
    if (!o.trainVision) freezeModules(model.params, ['vision', 'merger']);
    if (config.beta > 0) ref = (await loadModel(o.modelDir)).model;
    let records = await readGrpoPrompts({ data: o.data, ...(o.split ? { split: o.split } : {}), ...(o.imageFolder ? { imageFolder: o.imageFolder } : {}) });
    if (o.maxPrompts !== undefined) records = records.slice(0, o.maxPrompts);
    if (records.length === 0) throw new LvrError('DATASET_FORMAT', `${o.data}: no prompts for RL`);
    const prompts = await prepareRolloutPrompts(c, tokenizer, records, { onProgress: o.onProgress });
    const seed = o.seed ?? 0;
    const accum = o.trainer?.accumSteps ?? 1;
    const sampler = new EpochSampler(prompts.length, config.promptsPerStep, seed);
    const ctx: RlBatchContext = {
      policy: model, ref, tokenizer, config, latentFeedback,
      ids: { lvrStartId: t.lvrStartId, lvrId: t.lvrId, lvrEndId: t.lvrEndId, padId: t.padId, eosIds: [t.eosId] },
    };
    await mkdir(o.outDir, { recursive: true });
    await writeJsonAtomic(join(o.outDir, 'grpo_config.json'), { ...grpoConfigToJson(config), modelDir: o.modelDir, data: o.data, steps, seed });
    log.info('GRPO_latent', { prompts: prompts.length, steps, ...grpoConfigToJson(config) });
    const completionsPath = join(o.outDir, 'completions.jsonl');
    if (o.logCompletions ?? true) await resetCompletions(completionsPath, o.resumeFrom);
    const cache = new Map<string, RlBatch>();
    const result = await train<RlBatch>({
      params: model.params,
      lossFn: (batch) => rlLoss(model, batch, config),
      data: async (_i, rng, at) => {
        const k = at.step % config.mu;
        const key = `${at.step - k}:${at.micro}`;
        const cached = k > 0 ? cache.get(key) : undefined;
        if (cached) {
          cached.iteration = k;
          return cached;
        }
        if (k > 0) log.warn(`step ${at.step + 1}: the rollout batch of step ${at.step - k + 1} is gone (resumed mid-μ); rolling out afresh`);
        const picked = sampler.batch(Math.floor(at.step / config.mu) * accum + at.micro).map((p) => prompts[p] as RolloutPrompt);
        const batch = await makeRlBatch(ctx, picked, rng, at.step);
        for (const old of cache.keys()) if (!old.startsWith(`${at.step - k}:`)) cache.delete(old); // keep this step's micro-batches
        cache.set(key, batch);
        if (o.logCompletions ?? true) await appendCompletions(completionsPath, at.step + 1, batch);
        return batch;
      },
      config: { warmupRatio: 0.03, ...(o.trainer ?? {}), totalSteps: steps, lr: o.lr ?? 1e-4, seed },
      outDir: o.outDir,
      modelConfig: configToJson(c),
      tokenizerJson,
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      ...(o.resumeFrom ? { resumeFrom: o.resumeFrom } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    // Keep the latent feedback the model was trained with (inference reads it from lvr_training.json).
    await saveModel(o.outDir, model, tokenizerJson, latentFeedback === 'hidden' ? undefined : { mode: 'rl', latent_feedback: latentFeedback });
    const rewardCurve = join(o.outDir, 'reward_curve.png');
    await writeRewardCurvePng(join(o.outDir, 'metrics.jsonl'), rewardCurve);
    return { model, tokenizer, tokenizerJson, train: result, outDir: o.outDir, config, rewardCurve };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    ref?.dispose();
  }
}

/** A fresh run empties `completions.jsonl`; a resumed one drops the records after the checkpoint's step. */
async function resetCompletions(path: string, resumeFrom: string | undefined): Promise<void> {
  if (resumeFrom === undefined) {
    await writeFileAtomic(path, '');
    return;
  }
  const dir = await resolveResumeDir(resumeFrom);
  const state = JSON.parse(await readFile(join(dir, CHECKPOINT_FILES.trainerState), 'utf8')) as { step?: unknown };
  const step = typeof state.step === 'number' ? state.step : 0;
  const old = await readFile(path, 'utf8').catch(() => '');
  const keep = old.split('\n').filter((line) => {
    try {
      return (JSON.parse(line) as { step?: unknown }).step as number <= step;
    } catch {
      return false; // blank or torn line
    }
  });
  await writeFileAtomic(path, keep.map((l) => `${l}\n`).join(''));
}

/** One JSON line per completion: step, prompt id, text, total reward, each reward, advantage, latent steps. */
async function appendCompletions(path: string, step: number, b: RlBatch): Promise<void> {
  const s = b.scored;
  const g = s.batch.groupSize;
  const lines = s.completions.map((text, i) => {
    const rec: Record<string, unknown> = {
      step, prompt: s.batch.prompts[Math.floor(i / g)]?.sample.id, row: i, text, reward: s.rewards.total[i],
      advantage: s.advantages[i], latent_steps: s.batch.traces[i]?.latentSpans.reduce((a, sp) => a + sp.steps, 0),
    };
    for (const f of s.rewards.perFn) rec[`reward/${f.name}`] = f.values[i];
    for (const [k, v] of Object.entries(s.extras)) rec[k] = v[i];
    return `${JSON.stringify(rec)}\n`;
  });
  try {
    await appendFile(path, lines.join(''));
  } catch (cause) {
    throw new LvrError('IO_ERROR', `could not append to ${path}`, { cause, details: { file: path } });
  }
}

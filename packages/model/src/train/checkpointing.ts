import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LvrError, createLogger, type Rng } from '@lvr/core';
import { CHECKPOINT_FILES, assignParams, listCheckpoints, loadCheckpoint, pruneCheckpoints, saveCheckpoint } from '../io/checkpoint.js';
import type { MetricRecord, TrainerState } from '../io/trainer-state.js';
import type { AdamW } from './adamw.js';
import type { TrainerConfig } from './config.js';
import type { ParamStore } from './param-store.js';
import { writeLossCurvePng } from './plot.js';

const log = createLogger('lvr:train');

/** Everything {@link writeTrainingCheckpoint} needs. */
export interface TrainingSnapshot {
  outDir: string;
  step: number;
  params: ParamStore;
  optimizer: AdamW;
  rng: Rng;
  cfg: Readonly<TrainerConfig>;
  skippedSteps: number;
  tail: readonly MetricRecord[];
  modelConfig: object;
  tokenizerJson?: object | string | undefined;
}

/** Saves `outDir/checkpoint-<step>`, prunes old ones and refreshes `loss_curve.png`; returns the folder. */
export async function writeTrainingCheckpoint(s: TrainingSnapshot): Promise<string> {
  const dir = join(s.outDir, `checkpoint-${s.step}`);
  const trainerState: TrainerState = {
    step: s.step,
    dataCursor: s.step * s.cfg.accumSteps,
    skippedSteps: s.skippedSteps,
    rng: { trainer: s.rng.getState() },
    optimizer: await s.optimizer.exportState(),
    metricsTail: s.tail.slice(-s.cfg.metricsTail),
    config: JSON.parse(JSON.stringify(s.cfg)) as Record<string, unknown>,
  };
  await saveCheckpoint(dir, { config: s.modelConfig, params: s.params, tokenizerJson: s.tokenizerJson, trainerState });
  const removed = await pruneCheckpoints(s.outDir, s.cfg.keepLast);
  if (s.cfg.lossCurve) await writeLossCurvePng(join(s.outDir, 'metrics.jsonl'), join(s.outDir, 'loss_curve.png'));
  log.info(`saved ${dir}`, removed.length > 0 ? { removed } : undefined);
  return dir;
}

/** A checkpoint folder, or the newest complete `checkpoint-<step>` of a run folder. */
export async function resolveResumeDir(path: string): Promise<string> {
  const direct = await stat(join(path, CHECKPOINT_FILES.trainerState)).then(() => true, () => false);
  if (direct) return path;
  const all = await listCheckpoints(path);
  const last = all[all.length - 1];
  if (!last) throw new LvrError('CHECKPOINT', `${path}: no ${CHECKPOINT_FILES.trainerState} and no complete checkpoint-<step> folder to resume from`, { details: { file: path } });
  return last.dir;
}

/**
 * Restores weights, optimizer moments and the trainer Rng from a checkpoint; returns its trainer state.
 * Warns when the checkpoint was written with a different seed / accumulation / schedule length, since
 * the continuation is then not the same run.
 */
export async function restoreTraining(
  path: string,
  target: { params: ParamStore; optimizer: AdamW; rng: Rng; cfg: Readonly<TrainerConfig> },
): Promise<TrainerState & { dir: string }> {
  const dir = await resolveResumeDir(path);
  const ck = await loadCheckpoint(dir);
  const state = ck.trainerState;
  if (!state) throw new LvrError('CHECKPOINT', `${dir}: ${CHECKPOINT_FILES.trainerState} is missing, cannot resume`, { details: { file: dir } });
  const rng = state.rng.trainer;
  if (!rng) throw new LvrError('CHECKPOINT', `${dir}: trainer_state.json has no rng.trainer state`, { details: { file: dir } });
  if (!state.optimizer) throw new LvrError('CHECKPOINT', `${dir}: trainer_state.json has no optimizer state`, { details: { file: dir } });
  if (state.step > target.cfg.totalSteps) {
    throw new LvrError('CHECKPOINT', `${dir}: trainer_state.json is at step ${state.step}, past the ${target.cfg.totalSteps} steps requested; ask for at least ${state.step} steps to resume it`, {
      details: { file: dir, field: 'step' },
    });
  }
  assignParams(target.params, ck.params, { file: dir });
  target.optimizer.importState(state.optimizer, { file: join(dir, CHECKPOINT_FILES.optimizer) });
  target.rng.setState(rng);
  const saved = state.config ?? {};
  for (const k of ['seed', 'accumSteps', 'totalSteps'] as const) {
    if (saved[k] !== undefined && saved[k] !== target.cfg[k]) {
      log.warn(`resuming with ${k} = ${target.cfg[k]} but the checkpoint was written with ${String(saved[k])}; the run will not match an uninterrupted one`);
    }
  }
  return { ...state, dir };
}

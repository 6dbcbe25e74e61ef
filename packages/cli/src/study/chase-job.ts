import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LvrError, createLogger, pathExists, writeJsonAtomic, type ProgressCallback } from '@lvr/core';
import { resolvePreprocessOptions, symbolCodebook } from '@lvr/data';
import type { StopStrategyConfig } from '@lvr/decoding';
import { CellCodeVisionModel, CodebookVisionModel, evaluateItems, type EvalModel, type EvalRecord, type McqItem, type ProbeKind } from '@lvr/eval';
import { gridFinetune, initBackend, type GridTaskSpec, type GridView } from '@lvr/model';
import { openForEval } from '../commands/ablate-job.js';
import { selectStudyArms } from './chase-arms.js';
import { TRT_PROBES, type StudyEval, type StudyJobResult } from './chase-table.js';
import { gridTestItems, taskLabel } from './grid-items.js';

const log = createLogger('lvr:study');

/** One unit of study work (`job.json`): fine-tune one arm for one seed on one task, then evaluate it. */
export interface StudyJob {
  study: 'grid';
  arm: string;
  seed: number;
  baseDir: string;
  /** Job folder: `model/`, `train-time.json`, `result.json`. */
  dir: string;
  task: GridTaskSpec;
  view: GridView;
  /** Hop counts evaluated (chase), each a task label of its own. */
  testHops: number[];
  steps: number;
  batchSize: number;
  lr: number;
  /** Test items per task label (main accuracy). */
  testItems: number;
  /** Items per task label for each probe (the first ones of the test set). */
  probeItems: number;
  evalBatch: number;
  backend: 'onnx' | 'tfjs';
}

const fixed = (steps: number): StopStrategyConfig => ({ kind: 'fixed', steps, forceEnd: true });

/** Records → the per-item summary a study table needs. */
export function studyEval(records: readonly EvalRecord[]): StudyEval {
  const n = records.length;
  const correct: number[] = records.map((r) => (r.correct ? 1 : 0));
  const followed = records.some((r) => r.followed !== undefined) ? records.map((r) => (r.followed ? 1 : 0)) : undefined;
  const hops = records.map((r) => r.hopHitL2).filter((h): h is boolean[] => h !== undefined);
  const perHop = hops.length > 0 ? hops[0]!.map((_, t) => hops.reduce<number>((s, h) => s + (h[t] ? 1 : 0), 0) / hops.length) : undefined;
  return {
    accuracy: n ? correct.reduce((s, x) => s + x, 0) / n : 0, n, correct,
    meanLatentSteps: n ? records.reduce((s, r) => s + r.latentSteps, 0) / n : 0,
    ...(followed ? { followed } : {}), ...(perHop ? { perHop } : {}),
  };
}

/**
 * Runs one study job (in its own process: `lvr ablate --job DIR/job.json`): fine-tunes the arm unless `model/`
 * is complete, evaluates every task label (and the probes), and writes `result.json`. Re-running a finished
 * job only re-reads it; a killed job re-trains from its last checkpoint.
 */
export async function runStudyJob(job: StudyJob, onProgress?: ProgressCallback): Promise<StudyJobResult> {
  const [arm] = selectStudyArms([job.arm]);
  if (!arm) throw new LvrError('INVALID_ARGUMENT', `job ${job.dir}: unknown arm ${job.arm}`);
  const modelDir = join(job.dir, 'model');
  await initBackend();
  const timing = join(job.dir, 'train-time.json');
  let trainMs: number;
  if (await pathExists(join(modelDir, 'lvr_training.json')) && await pathExists(timing)) {
    trainMs = (JSON.parse(await readFile(timing, 'utf8')) as { trainMs: number }).trainMs;
  } else {
    const t0 = Date.now();
    // A killed job resumes from its newest checkpoint-<step>/ (exact resume: the same final weights).
    const resume = (await pathExists(modelDir)) && (await readdir(modelDir)).some((f) => f.startsWith('checkpoint-')) ? modelDir : undefined;
    const r = await gridFinetune({
      baseDir: job.baseDir, outDir: modelDir, task: job.task, view: job.view, arm: arm.arm, steps: job.steps, batchSize: job.batchSize, lr: job.lr,
      seed: job.seed, trainer: { logEvery: 50, checkpointEvery: Math.max(100, Math.round(job.steps / 4)) }, ...(resume ? { resumeFrom: resume } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    r.model.dispose();
    trainMs = Date.now() - t0;
    await writeJsonAtomic(timing, { trainMs });
  }
  const t1 = Date.now();
  const opened = await openForEval(modelDir, job.backend);
  const evals: Record<string, StudyEval> = {};
  try {
    const info = (opened.training ?? {}) as { codebook?: { seed: number; scale: number }; numLatents?: number };
    const stepModel = job.view === 'symbols'
      ? new CodebookVisionModel(opened.stepModel, symbolCodebook({ dim: opened.stepModel.hiddenSize, ...requireCodebook(info.codebook, modelDir) }), {
        imagePadId: opened.tokenizer.special.imagePad, preprocess: opened.preprocess,
      })
      : job.view === 'pixels-cell'
        ? new CellCodeVisionModel(opened.stepModel, symbolCodebook({ dim: opened.stepModel.hiddenSize, ...requireCodebook(info.codebook, modelDir) }), {
          imagePadId: opened.tokenizer.special.imagePad, mergeSize: resolvePreprocessOptions(opened.preprocess).mergeSize,
        })
        : opened.stepModel;
    const model: EvalModel = {
      stepModel, tokenizer: opened.tokenizer, preprocess: opened.preprocess, method: arm.arm.format, numLatents: arm.arm.numLatents, feedback: opened.feedback,
    };
    const labels: { label: string; hops: number | undefined }[] = job.task.kind === 'chase'
      ? job.testHops.map((k) => ({ label: taskLabel(job.task, k), hops: k }))
      : [{ label: taskLabel(job.task), hops: undefined }];
    for (const { label, hops } of labels) {
      const items: McqItem[] = await gridTestItems(job.task, job.view, hops, job.testItems);
      const strategy = arm.span ? fixed(hops ?? 1) : undefined;
      const base = { strategy, batchSize: job.evalBatch, seed: job.seed, ...(onProgress ? { onProgress } : {}) };
      const main = await evaluateItems(model, items, { ...base, hopDecode: arm.span && job.task.kind === 'chase' });
      evals[label] = studyEval(main.records);
      log.info(`${job.arm} seed ${job.seed} ${label}`, { accuracy: evals[label]!.accuracy });
      const probes: readonly ProbeKind[] = arm.span ? TRT_PROBES.filter((p) => job.task.kind === 'chase' || !['oracle', 'counterfactual'].includes(p))
        : arm.arm.format === 'livr' ? ['zeros', 'bottleneck'] : [];
      const subset = items.slice(0, Math.min(items.length, job.probeItems));
      for (const probe of probes) {
        const res = await evaluateItems(model, subset, { ...base, probe, reference: main.latents });
        evals[`${label}/${probe}`] = studyEval(res.records);
      }
    }
  } finally {
    await opened.dispose();
  }
  const result: StudyJobResult = { arm: job.arm, seed: job.seed, view: job.view, backend: opened.backend, trainMs, evalMs: Date.now() - t1, evals };
  await writeJsonAtomic(join(job.dir, 'result.json'), result);
  return result;
}

function requireCodebook(cb: { seed: number; scale: number } | undefined, dir: string): { seed: number; scale: number } {
  if (!cb || typeof cb.seed !== 'number' || !(cb.scale > 0)) {
    throw new LvrError('CHECKPOINT', `${dir}/lvr_training.json: a perception-free or pixels-cell model must record its codebook { seed, scale }`);
  }
  return cb;
}

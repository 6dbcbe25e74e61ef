import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathExists, LvrError, createLogger, writeJsonAtomic, type ProgressCallback } from '@lvr/core';
import type { StopStrategyConfig } from '@lvr/decoding';
import { evaluateItems, loadSyntheticSuite, type EvalModel, type EvalRecord, type McqItem, type ProbeKind } from '@lvr/eval';
import { finetune, initBackend } from '@lvr/model';
import { openModel, type OpenedModel } from '../model-backend.js';
import { EVAL_LATENTS, selectVariants } from './ablate-variants.js';
import type { EvalSummary, JobResult } from './ablate-table.js';

const log = createLogger('lvr:ablate');

/** One unit of ablation work: fine-tune one variant for one seed, then evaluate it. Written as `job.json`. */
export interface AblationJob {
  variant: string;
  seed: number;
  baseDir: string;
  suiteDir: string;
  /** The job folder: `model/` (the fine-tuned model) and `result.json`. */
  dir: string;
  steps: number;
  batchSize: number;
  /** Evaluate only the first N test items (0 = all). */
  testLimit: number;
  evalBatch: number;
  /** `onnx` (ONNX Runtime, 1 thread, exported next to the model) or `tfjs`. */
  backend: 'onnx' | 'tfjs';
}

interface EvalSpec {
  name: string;
  strategy?: StopStrategyConfig;
  probe?: ProbeKind;
  roiHit?: boolean;
}

const fixed = (steps: number): StopStrategyConfig => ({ kind: 'fixed', steps, forceEnd: true });

/** The evaluations of a variant: main (+ probes; + strategies for adaptive rows). */
export function evalPlan(mode: 'sft' | 'lvr' | 'livr', adaptive: boolean): EvalSpec[] {
  if (mode === 'sft') return [{ name: 'main' }];
  if (mode === 'livr') return [{ name: 'main' }, { name: 'zeros', probe: 'zeros' }, { name: 'bottleneck', probe: 'bottleneck' }];
  const s = fixed(EVAL_LATENTS);
  const plan: EvalSpec[] = [
    { name: 'main', strategy: s, roiHit: true },
    ...(['zeros', 'noise', 'gt-roi', 'distractor'] as const).map((p) => ({ name: p, strategy: s, probe: p })),
  ];
  if (adaptive) {
    plan.push(
      { name: 'fixed:1', strategy: fixed(1) }, { name: 'fixed:8', strategy: fixed(8) },
      { name: 'converge', strategy: { kind: 'converge', threshold: 0.99, maxSteps: 16, forceEnd: true } as StopStrategyConfig },
      { name: 'end-prob', strategy: { kind: 'end-prob', p: 0.5, maxSteps: 16, forceEnd: true } as StopStrategyConfig },
      // exit-prob (P(<|lvr_latent_end|>) + P(<|lvr_end|>) > p) is @lvr/decoding's built-in since the ablation added it.
      { name: 'exit-prob', strategy: { kind: 'exit-prob', p: 0.5, maxSteps: 16, forceEnd: true } as StopStrategyConfig },
    );
  }
  return plan;
}

/** Summary of one evaluation's records (item order kept). */
export function summarizeEval(records: readonly EvalRecord[]): EvalSummary {
  const n = records.length;
  const hits = (k: 'roiHitL2' | 'roiHitCos'): number | undefined => {
    const xs = records.map((r) => r[k]).filter((x): x is number => x !== undefined);
    return xs.length > 0 ? xs.reduce((s, x) => s + x, 0) / xs.length : undefined;
  };
  return {
    accuracy: n ? records.filter((r) => r.correct).length / n : 0,
    n,
    meanLatentSteps: n ? records.reduce((s, r) => s + r.latentSteps, 0) / n : 0,
    roiHitL2: hits('roiHitL2'),
    roiHitCos: hits('roiHitCos'),
    correct: records.map((r) => r.correct),
  };
}


/** Opens a job's model for evaluation: ONNX Runtime (exported once next to it, 1 thread) or tfjs. */
export async function openForEval(dir: string, backend: AblationJob['backend']): Promise<OpenedModel> {
  if (backend === 'onnx') {
    try {
      const onnx = await import('@lvr/model/onnx');
      const out = join(dir, 'onnx-export');
      if (!(await pathExists(join(out, 'config.json')))) await onnx.exportOnnx(dir, out);
      const assets = await onnx.readOnnxFolder(out);
      // One intra-op thread: two jobs share the two cores.
      const sm = await onnx.OrtStepModel.create(out, { intraOpNumThreads: 1 });
      return { stepModel: sm, tokenizer: assets.tokenizer, preprocess: assets.preprocess, training: assets.training, feedback: assets.latentFeedback, backend: sm.backend, dispose: () => sm.dispose() };
    } catch (e) {
      log.warn('ONNX Runtime unavailable, evaluating on tfjs', { reason: (e as Error).message });
    }
  }
  return openModel(dir, 'tfjs');
}

/**
 * Runs one ablation job (in its own process: `lvr ablate --job DIR/job.json`): fine-tunes the variant unless
 * `model/` is complete, evaluates it, and writes `result.json`.
 *
 * @example
 * const result = await runAblationJob(JSON.parse(await readFile('runs/ablation/jobs/lvr-ref-s0/job.json', 'utf8')));
 */
export async function runAblationJob(job: AblationJob, onProgress?: ProgressCallback): Promise<JobResult> {
  const [variant] = selectVariants([job.variant]).filter((v) => v.name === job.variant);
  if (!variant) throw new LvrError('INVALID_ARGUMENT', `job ${job.dir}: unknown variant ${job.variant}`);
  const modelDir = join(job.dir, 'model');
  await initBackend();
  let trainMs = 0;
  const timing = join(job.dir, 'train-time.json');
  if (await pathExists(join(modelDir, 'lvr_training.json')) && await pathExists(timing)) {
    trainMs = (JSON.parse(await readFile(timing, 'utf8')) as { trainMs: number }).trainMs;
  } else {
    const t0 = Date.now();
    const r = await finetune({
      mode: variant.mode, baseDir: job.baseDir, data: job.suiteDir, outDir: modelDir, steps: job.steps, batchSize: job.batchSize, seed: job.seed,
      ...variant.finetune, trainer: { logEvery: 50, checkpointEvery: 0 }, ...(onProgress ? { onProgress } : {}),
    });
    r.model.dispose();
    trainMs = Date.now() - t0;
    await writeJsonAtomic(timing, { trainMs });
  }
  const t1 = Date.now();
  let items: McqItem[] = await loadSyntheticSuite(job.suiteDir);
  if (job.testLimit > 0) items = items.slice(0, job.testLimit);
  const opened = await openForEval(modelDir, job.backend);
  const evals: Record<string, EvalSummary> = {};
  try {
    const model: EvalModel = {
      stepModel: opened.stepModel, tokenizer: opened.tokenizer, preprocess: opened.preprocess, method: variant.mode,
      numLatents: variant.finetune.numLatents, feedback: opened.feedback,
    };
    for (const spec of evalPlan(variant.mode, variant.adaptive === true)) {
      const res = await evaluateItems(model, items, {
        strategy: spec.strategy, probe: spec.probe, roiHit: spec.roiHit, batchSize: job.evalBatch, seed: job.seed,
        ...(onProgress ? { onProgress } : {}),
      });
      evals[spec.name] = summarizeEval(res.records);
      log.info(`${job.variant} seed ${job.seed} ${spec.name}`, { accuracy: evals[spec.name]!.accuracy });
    }
    if (variant.mode === 'lvr' && variant.adaptive && evals.main) evals[`fixed:${EVAL_LATENTS}`] = evals.main;
  } finally {
    await opened.dispose();
  }
  const result: JobResult = { variant: job.variant, seed: job.seed, backend: opened.backend, trainMs, evalMs: Date.now() - t1, evals };
  await writeJsonAtomic(join(job.dir, 'result.json'), result);
  return result;
}

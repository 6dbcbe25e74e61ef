import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LvrError, createLogger, pathExists, writeFileAtomic, writeJsonAtomic, type ProgressCallback } from '@lvr/core';
import { svgToPng } from '@lvr/eval';
import type { GridTaskSpec, GridView } from '@lvr/model';
import { runLvr } from '../demo/subprocess.js';
import { pool } from '../demo/pool.js';
import { selectStudyArms, type StudyArm } from './chase-arms.js';
import type { StudyJob } from './chase-job.js';
import { accuracyVsKSvg, studyMarkdown } from './chase-report.js';
import { aggregateStudy, chaseJson, type StudyJobResult } from './chase-table.js';
import { studyVerdict } from './chase-verdict.js';
import { jobReuse } from './job-reuse.js';
import { publishStudy } from './publish.js';
import { taskLabel } from './grid-items.js';

const log = createLogger('lvr:study');

/** Sizes and choices of a study run (`lvr ablate --task …`). */
export interface StudyConfig {
  task: GridTaskSpec;
  view: GridView;
  arms: string[];
  seeds: number;
  /** First training seed (seeds are firstSeed … firstSeed + seeds − 1). */
  firstSeed: number;
  /** Seeds of the headline arms (the primary arm, SFT and Pause-K) when more than `seeds`: the issue asks 5 there, 3 elsewhere. */
  headlineSeeds?: number | undefined;
  steps: number;
  batchSize: number;
  lr: number;
  /** Hop counts evaluated (chase). */
  testHops: number[];
  testItems: number;
  probeItems: number;
  evalBatch: number;
  jobs: number;
  /** The pre-stated primary comparison: this arm vs SFT and vs Pause-K at `primaryLabel`. */
  primaryArm: string;
  primaryLabel: string;
}

/** Chance accuracy of a task's items in percent (4 options everywhere). */
export const STUDY_CHANCE = 25;

/**
 * The job list of a study: one per (arm, seed) — `headlineSeeds` for the primary arm, SFT and Pause-K — seed-major (a study stopped early still has whole seeds of every
 * arm), slow arms first within a seed.
 */
export function studyJobs(cfg: StudyConfig, baseDir: string, outDir: string, backend: 'onnx' | 'tfjs'): StudyJob[] {
  const arms = selectStudyArms(cfg.arms);
  const jobs: StudyJob[] = [];
  const headline = new Set([cfg.primaryArm, 'sft', 'pause']);
  for (const a of arms) {
    const seeds = headline.has(a.name) ? Math.max(cfg.seeds, cfg.headlineSeeds ?? 0) : cfg.seeds;
    for (let s = cfg.firstSeed; s < cfg.firstSeed + seeds; s++) {
      jobs.push({
        study: 'grid', arm: a.name, seed: s, baseDir: resolve(baseDir), dir: resolve(join(outDir, 'jobs', `${a.name}-s${s}`)), task: cfg.task, view: cfg.view,
        testHops: cfg.testHops, steps: cfg.steps, batchSize: cfg.batchSize, lr: cfg.lr, testItems: cfg.testItems, probeItems: cfg.probeItems,
        evalBatch: cfg.evalBatch, backend,
      });
    }
  }
  const slow = (j: StudyJob): number => Number(['ptr-mix', 'lvr-selffed', 'livr'].includes(j.arm));
  return jobs.sort((a, b) => a.seed - b.seed || slow(b) - slow(a));
}

/** Task labels of a study in report order. */
export function studyLabels(cfg: StudyConfig): string[] {
  return cfg.task.kind === 'chase' ? cfg.testHops.map((k) => taskLabel(cfg.task, k)) : [taskLabel(cfg.task)];
}


/**
 * Writes `results.md`, `chase.json` (or `<task>.json`) and `accuracy-vs-k.{svg,png}` of the finished jobs.
 *
 * @example
 * await writeStudyReport('runs/chase', results, cfg, 'lvr ablate --task chase …');
 */
export async function writeStudyReport(outDir: string, results: readonly StudyJobResult[], cfg: StudyConfig, command: string, publish?: string): Promise<string[]> {
  const arms: StudyArm[] = selectStudyArms(cfg.arms);
  const labels = studyLabels(cfg);
  const table = aggregateStudy(results, arms, labels, { primaryArm: cfg.primaryArm, primaryLabel: cfg.primaryLabel });
  const name = cfg.task.kind === 'chase' ? (cfg.task.legend ? 'chase-legend' : 'chase') : cfg.task.kind;
  const files: string[] = [];
  const verdict = cfg.task.kind === 'chase' ? studyVerdict(table, cfg.primaryLabel) : [];
  const json = chaseJson(table, { command, view: cfg.view, config: cfg, jobs: results.length, gates: verdict });
  await writeJsonAtomic(join(outDir, `${name}.json`), json);
  files.push(join(outDir, `${name}.json`));
  const title = `${name} (${cfg.view === 'symbols' ? 'perception-free' : cfg.view === 'pixels-cell' ? 'pixels + cell position codes' : 'pixels'})`;
  let figure = '';
  if (cfg.task.kind === 'chase' && labels.length > 1) {
    const svg = accuracyVsKSvg(table, `${title}: accuracy vs hops`, STUDY_CHANCE);
    await writeFileAtomic(join(outDir, 'accuracy-vs-k.svg'), svg);
    await writeFileAtomic(join(outDir, 'accuracy-vs-k.png'), await svgToPng(svg));
    files.push(join(outDir, 'accuracy-vs-k.png'));
    figure = '\n![accuracy vs k](accuracy-vs-k.png)\n';
  }
  const markdown = `${studyMarkdown(table, { title, command, chance: STUDY_CHANCE, verdict })}${figure}`;
  await writeFileAtomic(join(outDir, 'results.md'), markdown);
  files.push(join(outDir, 'results.md'));
  if (publish) {
    files.push(...await publishStudy(publish, {
      key: `${name}-${cfg.view}`, task: name, view: cfg.view, markdown: markdown.replace(/^## /, '### '), json,
      assets: figure ? [join(outDir, 'accuracy-vs-k.png')] : [],
    }));
  }
  return files;
}

/**
 * Runs a study: every (arm, seed) job in a child process (`lvr ablate --job`), `jobs` at a time, reusing finished
 * jobs (`result.json`), so a killed study resumes where it stopped and ends with the same table. The report is
 * rewritten after every finished job (partial tables are marked in the command line).
 */
export async function runStudy(cfg: StudyConfig, o: { baseDir: string; outDir: string; command: string; backend: 'onnx' | 'tfjs'; publish?: string | undefined; say?: (s: string) => void; onProgress?: ProgressCallback }): Promise<string[]> {
  if (!(await pathExists(join(o.baseDir, 'model.safetensors')))) throw new LvrError('IO_ERROR', `base model not found: ${o.baseDir}/model.safetensors`);
  await mkdir(o.outDir, { recursive: true });
  const jobs = studyJobs(cfg, o.baseDir, o.outDir, o.backend);
  // Decide every job's fate before any work: a finished job trained with other settings stops the study here.
  const decisions = new Map<StudyJob, 'reuse' | 'rerun'>();
  for (const job of jobs) {
    const resultFile = join(job.dir, 'result.json');
    const jobFile = join(job.dir, 'job.json');
    if (!(await pathExists(resultFile))) { decisions.set(job, 'rerun'); continue; }
    let previous: Partial<StudyJob> | undefined;
    if (await pathExists(jobFile)) {
      try {
        previous = JSON.parse(await readFile(jobFile, 'utf8')) as Partial<StudyJob>;
      } catch (e) {
        throw new LvrError('CONFIG_INVALID', `${jobFile}: not valid JSON; delete the job folder to run it again`, { cause: e });
      }
    }
    const decision = previous ? jobReuse(previous, job) : 'reuse';
    if (decision === 'rerun') log.warn(`${job.arm} seed ${job.seed}: evaluation settings changed since its result; evaluating again`);
    decisions.set(job, decision);
  }
  const results: StudyJobResult[] = [];
  let done = 0;
  o.onProgress?.({ status: 'start', task: 'study', total: jobs.length });
  await pool(jobs.map((job) => async () => {
    const resultFile = join(job.dir, 'result.json');
    const jobFile = join(job.dir, 'job.json');
    if (decisions.get(job) === 'rerun') {
      await mkdir(job.dir, { recursive: true });
      await writeJsonAtomic(jobFile, job);
      await runLvr(['ablate', '--job', jobFile, '--quiet'], log, `${job.arm} seed ${job.seed}`);
    }
    results.push(JSON.parse(await readFile(resultFile, 'utf8')) as StudyJobResult);
    const finished = ++done;
    o.say?.(`[${finished}/${jobs.length}] ${job.arm} seed ${job.seed}`);
    o.onProgress?.({ status: 'progress', task: 'study', done: finished, total: jobs.length });
    if (finished < jobs.length) {
      await writeStudyReport(o.outDir, results, cfg, `${o.command} (partial: ${finished}/${jobs.length} jobs)`).catch((e: unknown) => log.warn('partial report failed', { reason: String(e) }));
    }
  }), cfg.jobs);
  return writeStudyReport(o.outDir, results, cfg, o.command, o.publish);
}

import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathExists, createLogger, writeFileAtomic, writeJsonAtomic } from '@lvr/core';
import { loadSyntheticSuite, svgToPng } from '@lvr/eval';
import { UsageError, intOption, pathOption, type ParsedValues } from '../args.js';
import { runLvr } from '../demo/subprocess.js';
import { pool } from '../demo/pool.js';
import type { Command, CommandContext } from './command.js';
import { runAblationJob, type AblationJob } from './ablate-job.js';
import { ablationAccuracySvg, ablationMarkdown, ablationStepsSvg, aggregateAblation, type ItemInfo, type JobResult } from './ablate-table.js';
import { ABLATION_VARIANTS, DEFAULT_VARIANTS, selectVariants, type AblationVariant } from './ablate-variants.js';
import { displayPath } from './synth.js';
import { runStudyJob, type StudyJob } from '../study/chase-job.js';
import { runStudy } from '../study/chase-study.js';
import { freshBase, shippedBaseDir } from '../study/shipped-base.js';
import { STUDY_OPTIONS, resolveStudyConfig } from '../study/study-options.js';

const log = createLogger('lvr:ablate');

/** Sizes of an ablation run (`--quick` = the smoke configuration). */
export interface AblateConfig {
  seeds: number;
  steps: number;
  batchSize: number;
  /** Pre-training steps of the base when `--base` is not given. */
  baseSteps: number;
  /** Synthetic suite size when `--suite` is not given. */
  trainCount: number;
  testCount: number;
  /** Evaluate only the first N test items (0 = all). */
  testLimit: number;
  evalBatch: number;
  /** Parallel job processes. */
  jobs: number;
  variants: string[];
}

export const ABLATE_DEFAULTS: Readonly<AblateConfig> = Object.freeze({
  seeds: 3, steps: 400, batchSize: 32, baseSteps: 500, trainCount: 2000, testCount: 800, testLimit: 0, evalBatch: 50, jobs: 2,
  variants: [...DEFAULT_VARIANTS],
});

export const ABLATE_QUICK: Readonly<AblateConfig> = Object.freeze({
  seeds: 2, steps: 4, batchSize: 8, baseSteps: 4, trainCount: 32, testCount: 16, testLimit: 0, evalBatch: 16, jobs: 2,
  variants: ['sft', 'livr', 'lvr-ref', 'lvr-combo'],
});

/** Resolves the sizes from the command line (explicit options override `--quick`). */
export function resolveAblateConfig(values: ParsedValues): AblateConfig {
  const base = values.quick === true ? ABLATE_QUICK : ABLATE_DEFAULTS;
  const list = typeof values.variants === 'string' ? values.variants.split(',').map((s) => s.trim()).filter(Boolean) : base.variants;
  selectVariants(list); // validates the names
  return {
    seeds: intOption(values, 'seeds', 1, 100) ?? base.seeds,
    steps: intOption(values, 'steps', 1, 1_000_000) ?? base.steps,
    batchSize: intOption(values, 'batch', 1, 4096) ?? base.batchSize,
    baseSteps: intOption(values, 'base-steps', 1, 1_000_000) ?? base.baseSteps,
    trainCount: base.trainCount,
    testCount: base.testCount,
    testLimit: intOption(values, 'test-limit', 0, 1_000_000) ?? base.testLimit,
    evalBatch: base.evalBatch,
    jobs: intOption(values, 'jobs', 1, 16) ?? base.jobs,
    variants: list,
  };
}



/** The command line that reproduces a run (for the report). */
function commandLine(values: ParsedValues): string {
  const parts = ['lvr ablate'];
  for (const k of ['out', 'suite', 'base', 'task', 'view', 'hops', 'arms', 'seeds', 'first-seed', 'steps', 'batch', 'lr', 'base-steps', 'test-limit', 'test-items', 'probe-items', 'variants', 'jobs', 'publish'] as const) {
    if (typeof values[k] === 'string') parts.push(`--${k} ${values[k] as string}`);
  }
  if (values.quick === true) parts.push('--quick');
  if (values.pretrain === true) parts.push('--pretrain');
  return parts.join(' ');
}

/**
 * Writes `results.json`, `results.md`, `accuracy.{svg,png}` and `steps.{svg,png}` from the finished jobs.
 *
 * @example
 * await writeAblationReport('runs/ablation', results, selectVariants(['lvr-ref']), 'lvr ablate --out runs/ablation');
 */
export async function writeAblationReport(
  outDir: string, results: readonly JobResult[], variants: readonly AblationVariant[], command: string, o: { config?: object; items?: readonly ItemInfo[] } = {},
): Promise<string[]> {
  const table = aggregateAblation(results, variants, { items: o.items });
  const config = o.config;
  const files: string[] = [];
  await writeJsonAtomic(join(outDir, 'results.json'), { command, config, table, jobs: results.map(({ evals, ...rest }) => ({ ...rest, evals: Object.fromEntries(Object.entries(evals).map(([k, e]) => [k, { ...e, correct: undefined }])) })) });
  files.push(join(outDir, 'results.json'));
  const charts: [string, string][] = [['accuracy', ablationAccuracySvg(table)]];
  if (table.rows.some((r) => Object.keys(r.strategies).length > 0)) charts.push(['steps', ablationStepsSvg(table)]);
  for (const [name, svg] of charts) {
    await writeFileAtomic(join(outDir, `${name}.svg`), svg);
    await writeFileAtomic(join(outDir, `${name}.png`), await svgToPng(svg));
    files.push(join(outDir, `${name}.png`));
  }
  const figures = charts.map(([name]) => `![${name}](${name}.png)`);
  await writeFileAtomic(join(outDir, 'results.md'), `${ablationMarkdown(table, { command })}\n${figures.join('\n\n')}\n`);
  files.push(join(outDir, 'results.md'));
  return files;
}

/**
 * `lvr ablate`: trains SFT, LIVR and every LVR variant from one base on the same records for several seeds (in
 * parallel child processes), evaluates them with the demo's constrained word protocol and the latent-reliance
 * probes, and writes one table (accuracy mean ± seed spread with 95 % CIs, probes, wall time) and charts.
 * Resumable: finished jobs (`jobs/<variant>-s<seed>/result.json`) are reused.
 *
 * @example
 * // lvr ablate --out runs/ablation --seeds 3 --steps 400
 * // lvr ablate --out runs/ablate-smoke --quick
 */
export const ablateCommand: Command = {
  name: 'ablate',
  summary: 'ablation of the LVR training variants vs SFT and LIVR over seeds (table + charts)',
  help: [
    'Usage: lvr ablate --out DIR [--seeds N] [--steps N] [--quick] [--base DIR | --pretrain] [--suite DIR] [--variants a,b,…]',
    '       lvr ablate --task chase|chase-legend|majority --out DIR [--view pixels|symbols|pixels-cell] [--hops 1,2,3,4] [--arms …]',
    '',
    'With --task: the reasoning-task study (docs/results.md): SFT, Pause-K, LIVR and the LVR arms (reference, self-fed,',
    'pointer-argmax, pointer-mix) fine-tuned from the shipped base on fresh task items, evaluated per hop count with',
    'hierarchical CIs, the Token Replacement Test and the pre-stated primary endpoint; writes results.md, chase.json',
    'and accuracy-vs-k.png. Resumable per job.',
    '',
    'Without --task:',
    'Generates the synthetic suite (or uses --suite) and pre-trains a base (or uses --base), then fine-tunes',
    'every variant for every seed from that base on the same records (data-matched), evaluates each with the',
    'constrained word protocol at 4 latents plus the probes (zeros, noise, gt-roi, distractor, roi_hit) and, for',
    'the adaptive rows, fixed 1/4/8 vs the converge / end-prob stop strategies. Writes DIR/results.md,',
    'results.json, accuracy.png and steps.png. --quick is a ~1-minute smoke run on tiny data.',
    `Variants: ${ABLATION_VARIANTS.map((v) => v.name).join(', ')} (sft is always included).`,
  ].join('\n'),
  options: {
    out: { type: 'string', short: 'o', valueName: 'DIR', description: 'output folder' },
    seeds: { type: 'string', valueName: 'N', description: `training seeds 0..N−1 (default ${ABLATE_DEFAULTS.seeds})` },
    steps: { type: 'string', valueName: 'N', description: `fine-tuning steps (default ${ABLATE_DEFAULTS.steps})` },
    batch: { type: 'string', valueName: 'N', description: `fine-tuning batch size (default ${ABLATE_DEFAULTS.batchSize})` },
    quick: { type: 'boolean', description: 'tiny smoke configuration' },
    base: { type: 'string', valueName: 'DIR', description: 'start from this base model (default: the shipped models/base); study: `fresh` = an untrained seeded model (perception-free, from scratch)' },
    pretrain: { type: 'boolean', description: 'pre-train a new base into DIR/base instead of using the shipped one' },
    ...STUDY_OPTIONS,
    'base-steps': { type: 'string', valueName: 'N', description: `pre-training steps of a new base (default ${ABLATE_DEFAULTS.baseSteps})` },
    suite: { type: 'string', valueName: 'DIR', description: 'reuse this synthetic suite (default: generate DIR/suite)' },
    variants: { type: 'string', valueName: 'LIST', description: 'comma-separated variant names (default all)' },
    'test-limit': { type: 'string', valueName: 'N', description: 'evaluate the first N test items only (default all)' },
    jobs: { type: 'string', valueName: 'N', description: `parallel processes (default ${ABLATE_DEFAULTS.jobs})` },
    job: { type: 'string', valueName: 'FILE', description: 'internal: run one job file and exit' },
  },
  async run(values: ParsedValues, ctx: CommandContext): Promise<number> {
    const jobFile = pathOption(values, 'job', ctx.io.cwd);
    if (jobFile) {
      const job = JSON.parse(await readFile(jobFile, 'utf8')) as AblationJob | StudyJob;
      if ('study' in job) {
        const r = await runStudyJob(job, ctx.onProgress);
        ctx.io.stdout.write(`${JSON.stringify({ arm: r.arm, seed: r.seed, accuracy: Object.fromEntries(Object.entries(r.evals).filter(([k]) => !k.includes('/')).map(([k, e]) => [k, e.accuracy])) })}\n`);
        return 0;
      }
      const r = await runAblationJob(job, ctx.onProgress);
      ctx.io.stdout.write(`${JSON.stringify({ variant: r.variant, seed: r.seed, accuracy: r.evals.main?.accuracy })}\n`);
      return 0;
    }
    const out = pathOption(values, 'out', ctx.io.cwd);
    if (!out) throw new UsageError('--out DIR is required');
    if (values.base !== undefined && values.pretrain === true) throw new UsageError('--base and --pretrain exclude each other');
    if (values.task !== undefined) {
      const study = resolveStudyConfig(values);
      const baseDir = values.base === 'fresh' ? await freshBase(out, log) : (pathOption(values, 'base', ctx.io.cwd) ?? shippedBaseDir());
      const files = await runStudy(study, {
        baseDir, outDir: out, command: commandLine(values), backend: process.env.LVR_DEMO_BACKEND === 'tfjs' ? 'tfjs' : 'onnx',
        publish: pathOption(values, 'publish', ctx.io.cwd),
        say: (s) => { if (!ctx.json) ctx.io.stderr.write(`${s}\n`); }, onProgress: ctx.onProgress,
      });
      if (ctx.json) ctx.io.stdout.write(`${JSON.stringify({ outDir: out, files }, null, 2)}\n`);
      else ctx.io.stdout.write(`study finished → ${files.map((f) => displayPath(ctx.io, f)).join(', ')}\n`);
      return 0;
    }
    const cfg = resolveAblateConfig(values);
    const variants = selectVariants(cfg.variants);
    await mkdir(out, { recursive: true });
    const say = (s: string): void => { if (!ctx.json) ctx.io.stderr.write(`${s}\n`); };
    let suite = pathOption(values, 'suite', ctx.io.cwd);
    if (!suite) {
      suite = join(out, 'suite');
      if (!(await pathExists(join(suite, 'test.jsonl')))) {
        say(`generating the suite → ${displayPath(ctx.io, suite)}`);
        await runLvr(['synth', '--out', suite, '--train', String(cfg.trainCount), '--test', String(cfg.testCount), '--seed', '0'], log, 'synth');
      }
    }
    let base = pathOption(values, 'base', ctx.io.cwd) ?? (values.pretrain === true || values.quick === true ? undefined : shippedBaseDir());
    if (!base) {
      base = join(out, 'base');
      if (!(await pathExists(join(base, 'model.safetensors')))) {
        say(`pre-training the base (${cfg.baseSteps} steps) → ${displayPath(ctx.io, base)}`);
        await runLvr(['train', '--mode', 'base', '--data', suite, '--out', base, '--steps', String(cfg.baseSteps), '--batch', String(cfg.batchSize), '--seed', '0'], log, 'base');
      }
    }
    const jobs: AblationJob[] = [];
    for (const v of variants) {
      for (let seed = 0; seed < cfg.seeds; seed++) {
        jobs.push({
          variant: v.name, seed, baseDir: resolve(base), suiteDir: resolve(suite), dir: resolve(join(out, 'jobs', `${v.name}-s${seed}`)),
          steps: cfg.steps, batchSize: cfg.batchSize, testLimit: cfg.testLimit, evalBatch: cfg.evalBatch,
          backend: process.env.LVR_DEMO_BACKEND === 'tfjs' ? 'tfjs' : 'onnx',
        });
      }
    }
    // Slowest first (self-fed variants run two forwards), so the two processes finish together.
    jobs.sort((a, b) => Number(b.variant.includes('self') || b.variant.includes('combo')) - Number(a.variant.includes('self') || a.variant.includes('combo')));
    const items: ItemInfo[] = (await loadSyntheticSuite(suite, { checkImages: false })).map((it) => ({ task: it.category, options: it.options.length }));
    const results: JobResult[] = [];
    let done = 0;
    ctx.onProgress?.({ status: 'start', task: 'ablate', total: jobs.length });
    await pool(jobs.map((job) => async () => {
      const resultFile = join(job.dir, 'result.json');
      if (!(await pathExists(resultFile))) {
        await mkdir(job.dir, { recursive: true });
        await writeJsonAtomic(join(job.dir, 'job.json'), job);
        await runLvr(['ablate', '--job', join(job.dir, 'job.json'), '--quiet'], log, `${job.variant} seed ${job.seed}`);
      }
      results.push(JSON.parse(await readFile(resultFile, 'utf8')) as JobResult);
      done++;
      // A partial report after every job (progress can be read from DIR/results.md while the run goes on).
      if (done < jobs.length && results.some((r) => r.variant === 'sft')) {
        await writeAblationReport(out, results, variants, `${commandLine(values)} (partial: ${done}/${jobs.length} jobs)`, { config: cfg, items }).catch((e: unknown) => log.warn('partial report failed', { reason: String(e) }));
      }
      say(`[${done}/${jobs.length}] ${job.variant} seed ${job.seed}`);
      ctx.onProgress?.({ status: 'progress', task: 'ablate', done, total: jobs.length });
    }), cfg.jobs);
    const files = await writeAblationReport(out, results, variants, commandLine(values), { config: cfg, items });
    if (ctx.json) ctx.io.stdout.write(`${JSON.stringify({ outDir: out, files }, null, 2)}\n`);
    else ctx.io.stdout.write(`ablation finished → ${files.map((f) => displayPath(ctx.io, f)).join(', ')}\n`);
    return 0;
  },
};

import { relative } from 'node:path';
import type { SuiteOptions, SuiteResult } from '@lvr/data';
import { UsageError, intOption, listOption, numberOption, pathOption, type ParsedValues } from '../args.js';
import type { CliIo } from '../io.js';
import type { Command, CommandContext } from './command.js';

/** Display form of a path: relative to the working directory when inside it. */
export function displayPath(io: CliIo, path: string): string {
  const rel = relative(io.cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}

/**
 * The `--tasks` help text: every task family, and the default ones (the command checks names against `@lvr/data`'s
 * `ALL_TASK_KINDS`; a test keeps this text equal to `ALL_TASK_KINDS` and `TASK_KINDS`).
 */
export const SYNTH_TASKS_HELP =
  'task families, comma-separated: attribute,position,count,pair,chase,majority (default attribute,position,count,pair)';

/**
 * The suite options a `synth` command line asks for (absent flags keep the library defaults).
 *
 * @example
 * await synthOptionsFromArgs({ out: 'suite', tasks: 'chase', hops: '1,2' }, '/work');
 * // { outDir: '/work/suite', tasks: ['chase'], hops: [1, 2] }
 */
export async function synthOptionsFromArgs(values: ParsedValues, cwd: string): Promise<SuiteOptions> {
  const { ALL_TASK_KINDS } = await import('@lvr/data');
  const outDir = pathOption(values, 'out', cwd);
  if (outDir === undefined) throw new UsageError('--out DIR is required');
  const opts: SuiteOptions = { outDir };
  const set = <K extends keyof SuiteOptions>(k: K, v: SuiteOptions[K] | undefined): void => {
    if (v !== undefined) opts[k] = v;
  };
  set('seed', intOption(values, 'seed', 0, 0xffffffff));
  set('trainCount', intOption(values, 'train', 0, 1_000_000));
  set('testCount', intOption(values, 'test', 0, 1_000_000));
  set('imageSize', intOption(values, 'image-size', 8, 4096));
  set('distractors', intOption(values, 'distractors', 0, 64));
  set('noise', numberOption(values, 'noise', 0, 128));
  set('tasks', listOption(values, 'tasks', ALL_TASK_KINDS));
  const hops = listOption(values, 'hops', ['1', '2', '3', '4'] as const);
  if (hops !== undefined) opts.hops = hops.map(Number);
  if (values.legend === true) opts.legend = true;
  return opts;
}

/** The machine-readable summary of a written suite (what `--json` prints). */
export function suiteSummary(res: SuiteResult): Record<string, unknown> {
  return {
    outDir: res.outDir,
    seed: res.manifest.seed,
    train: res.train.length,
    test: res.test.length,
    counts: res.manifest.counts,
    chance: res.manifest.chance,
    questionOnlyBaseline: res.manifest.questionOnlyBaseline,
    files: res.paths,
  };
}

/** Human-readable lines describing a written suite. */
export function suiteReport(io: CliIo, res: SuiteResult): string[] {
  const m = res.manifest;
  const baseline = Object.entries(m.questionOnlyBaseline)
    .map(([k, v]) => `${k} ${v.toFixed(2)} (chance ${m.chance[k]!.options.toFixed(2)})`)
    .join(', ');
  return [
    `wrote the synthetic suite to ${displayPath(io, res.outDir)} (seed ${m.seed}): ${res.train.length} train, ${res.test.length} test items`,
    `  ${displayPath(io, res.paths.train)}  LVR SFT records (meta: ${displayPath(io, res.paths.meta)})`,
    `  ${displayPath(io, res.paths.test)}  benchmark-style test items`,
    `  ${displayPath(io, res.paths.tokenizer)}, ${displayPath(io, res.paths.manifest)}, ${displayPath(io, res.paths.images)}/ (${res.train.length + res.test.length} PNG)`,
    `  question-only baseline on test: ${baseline || 'n/a'}`,
  ];
}

/**
 * `lvr synth`: writes the synthetic perception suite (images, LVR SFT train.json + meta.json, benchmark
 * test.jsonl, word-level tokenizer.json, suite.json) into `--out`.
 *
 * @example
 * // lvr synth --out data/synthetic --seed 1 --train 2000 --test 1000
 */
export const synthCommand: Command = {
  name: 'synth',
  summary: 'generate the synthetic perception suite (images, train/test JSON, tokenizer)',
  help: [
    'Usage: lvr synth --out DIR [--seed N] [--train N] [--test N] [--image-size N] [--tasks LIST] [--hops LIST] [--legend] [--json]',
    '',
    'Writes the seeded synthetic perception suite into DIR: images/*.png, train.json + meta.json',
    '(LVR SFT format), test.jsonl (benchmark style), tokenizer.json (word level) and suite.json.',
    'The same seed and options give byte-identical files. The reasoning tasks are opt-in:',
    '`--tasks chase,majority --hops 1,2,3,4 [--legend]` (chase items cycle through the hop counts).',
  ].join('\n'),
  options: {
    out: { type: 'string', short: 'o', valueName: 'DIR', description: 'output folder (empty, new, or an earlier suite)' },
    seed: { type: 'string', valueName: 'N', description: 'master seed (default 0)' },
    train: { type: 'string', valueName: 'N', description: 'training items (default 2000)' },
    test: { type: 'string', valueName: 'N', description: 'test items (default 1000)' },
    'image-size': { type: 'string', valueName: 'N', description: 'image width and height in pixels (default 64)' },
    tasks: { type: 'string', valueName: 'LIST', description: SYNTH_TASKS_HELP },
    hops: { type: 'string', valueName: 'LIST', description: 'chase: hops per item, comma-separated in 1..4 (default 1,2,3,4)' },
    legend: { type: 'boolean', description: 'chase: a per-image colour → direction legend in the question' },
    distractors: { type: 'string', valueName: 'N', description: 'distractor objects per image for every task (default per task)' },
    noise: { type: 'string', valueName: 'SIGMA', description: 'Gaussian pixel noise, 0..128 (default 5)' },
  },
  async run(values: ParsedValues, ctx: CommandContext): Promise<number> {
    const opts = await synthOptionsFromArgs(values, ctx.io.cwd);
    const { generateSuite } = await import('@lvr/data');
    const res = await generateSuite({ ...opts, onProgress: ctx.onProgress });
    if (ctx.json) ctx.io.stdout.write(`${JSON.stringify(suiteSummary(res), null, 2)}\n`);
    else ctx.io.stdout.write(`${suiteReport(ctx.io, res).join('\n')}\n`);
    return 0;
  },
};

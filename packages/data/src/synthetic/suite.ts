import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LvrError, ProgressReporter, createLogger, writeFileAtomic, writeJsonAtomic } from '@lvr/core';
import { createWordLevelTokenizerJson } from '../tokenizer/word-level.js';
import { questionOnlyBaseline } from './baseline.js';
import { allocateCounts, generateExamples, type SyntheticExample } from './examples.js';
import { encodePng } from './png.js';
import { formatJsonArray, formatJsonLines, toBenchmarkRecord, toLvrSftRecord, type LvrMetaEntry } from './records.js';
import { renderScene } from './render.js';
import { resolveSuiteOptions, type ResolvedSuiteOptions, type SuiteOptions } from './suite-options.js';
import type { TaskKind } from './tasks/task-family.js';
import { getTaskFamily } from './tasks/registry.js';
import { suiteWords } from './vocabulary.js';

const log = createLogger('data:synthetic');

/** Version of the generator; bumped whenever the same seed would produce different bytes. */
export const SYNTHETIC_SUITE_VERSION = 1;

/** Special tokens the suite's answers use, so `<answer>` and `</answer>` are single tokens. */
export const SUITE_SPECIAL_TOKENS = Object.freeze(['<answer>', '</answer>'] as const);

/** File names inside a suite folder. */
export const SUITE_FILES = Object.freeze({
  images: 'images',
  train: 'train.json',
  meta: 'meta.json',
  test: 'test.jsonl',
  tokenizer: 'tokenizer.json',
  manifest: 'suite.json',
} as const);

/** The `suite.json` manifest. */
export interface SuiteManifest {
  generator: '@lvr/data synthetic';
  version: number;
  seed: number;
  tasks: TaskKind[];
  /** Every resolved knob (scene, task and render), enough to regenerate the suite. */
  knobs: Record<string, unknown>;
  counts: { train: Record<string, number>; test: Record<string, number> };
  /** Per task: chance with the shown options, and chance of an open (option-free) answer. */
  chance: Record<string, { options: number; open: number }>;
  /** Test accuracy of the question-only baseline fitted on train (should be ≈ the options chance). */
  questionOnlyBaseline: Record<string, number>;
  files: typeof SUITE_FILES;
}

/** What {@link generateSuite} wrote. */
export interface SuiteResult {
  readonly outDir: string;
  readonly manifest: SuiteManifest;
  /** Absolute or caller-relative paths (joined to `outDir`) of every file kind. */
  readonly paths: Readonly<Record<keyof typeof SUITE_FILES, string>>;
  /** The generated examples (scenes included), in file order. */
  readonly train: readonly SyntheticExample[];
  readonly test: readonly SyntheticExample[];
}

async function prepareOutDir(o: ResolvedSuiteOptions, keep: ReadonlySet<string>): Promise<void> {
  const entries = await readdir(o.outDir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [] as string[];
    throw new LvrError('IO_ERROR', `synthetic: cannot read ${o.outDir}`, { cause: e, details: { file: o.outDir } });
  });
  const known = new Set<string>(Object.values(SUITE_FILES));
  const foreign = entries.filter((e) => !known.has(e) && !e.startsWith('.'));
  if (foreign.length > 0) {
    throw new LvrError(
      'INVALID_ARGUMENT',
      `synthetic: refusing to write into ${o.outDir}: it holds files that are not part of a suite (${foreign.slice(0, 3).join(', ')}); ` +
        'use an empty or new folder',
      { details: { file: o.outDir, foreign: foreign.slice(0, 10) } },
    );
  }
  const imagesDir = join(o.outDir, SUITE_FILES.images);
  await mkdir(imagesDir, { recursive: true }).catch((cause: unknown) => {
    throw new LvrError('IO_ERROR', `synthetic: cannot create ${imagesDir}`, { cause, details: { file: imagesDir } });
  });
  // A previous suite in the same folder: remove its images that the new one does not write.
  const stale = (await readdir(imagesDir)).filter((f) => /^(train|test)-.*\.png$/.test(f) && !keep.has(f));
  for (const f of stale) await rm(join(imagesDir, f), { force: true });
  if (stale.length > 0) log.info(`removed ${stale.length} stale images`, { dir: imagesDir });
}

async function writeImages(o: ResolvedSuiteOptions, examples: readonly SyntheticExample[], progress: ProgressReporter): Promise<void> {
  for (let i = 0; i < examples.length; i += o.concurrency) {
    const chunk = examples.slice(i, i + o.concurrency);
    await Promise.all(
      chunk.map(async (ex) => {
        const png = await encodePng(renderScene(ex.scene, o.render));
        await writeFileAtomic(join(o.outDir, ex.image), png);
      }),
    );
    progress.tick(chunk.length);
  }
}

function countByTask(examples: readonly SyntheticExample[], tasks: readonly TaskKind[]): Record<string, number> {
  const c: Record<string, number> = Object.fromEntries(tasks.map((t) => [t, 0]));
  for (const ex of examples) c[ex.task] = (c[ex.task] ?? 0) + 1;
  return c;
}

function buildManifest(o: ResolvedSuiteOptions, train: readonly SyntheticExample[], test: readonly SyntheticExample[]): SuiteManifest {
  const { scene, hops, legend, majorityObjects, ...task } = o.task;
  // The reasoning knobs are recorded only when their task is written (perception manifests stay as they were).
  const reasoning = {
    ...(o.tasks.includes('chase') ? { hops: [...hops], legend } : {}),
    ...(o.tasks.includes('majority') ? { majorityObjects: [...majorityObjects] } : {}),
  };
  const baseline = questionOnlyBaseline(train, test).byTask;
  return {
    generator: '@lvr/data synthetic',
    version: SYNTHETIC_SUITE_VERSION,
    seed: o.seed,
    tasks: [...o.tasks],
    knobs: { ...scene, ...task, ...reasoning, ...o.render, gridCells: o.gridCells, systemMessage: o.systemMessage },
    counts: { train: countByTask(train, o.tasks), test: countByTask(test, o.tasks) },
    chance: Object.fromEntries(
      o.tasks.map((k) => {
        const f = getTaskFamily(k);
        return [k, { options: 1 / f.optionCount(o.task), open: f.openChance(o.task) }];
      }),
    ),
    questionOnlyBaseline: Object.fromEntries(Object.entries(baseline).map(([k, v]) => [k, v.accuracy])),
    files: SUITE_FILES,
  };
}

/**
 * Writes the synthetic perception suite (the embedded default data) into `outDir`:
 * - `images/*.png` — one 64×64 (knob) PNG per item;
 * - `train.json` + `meta.json` — LVR stage-1 SFT records and the LVR meta file pointing at them;
 * - `test.jsonl` — benchmark-style items (question, option words, answer letter and word, category, pair id, ROI);
 * - `tokenizer.json` — a word-level tokenizer knowing every word of the suite, its captions and the system
 *   prompt, with `<answer>` / `</answer>` as single special tokens;
 * - `suite.json` — manifest: version, seed, knobs, counts per task, chance levels, question-only baseline.
 *
 * The same seed and options always give byte-identical files. The folder must be empty or hold only suite
 * files (an earlier suite: its images that the new one does not write are removed); anything else is refused.
 *
 * @example
 * const { paths, manifest } = await generateSuite({ outDir: 'runs/suite', seed: 1, trainCount: 400, testCount: 200 });
 * manifest.counts.test; // { attribute: 50, position: 50, count: 50, pair: 50 }
 */
export async function generateSuite(opts: SuiteOptions): Promise<SuiteResult> {
  const o = resolveSuiteOptions(opts);
  const train = generateExamples('train', allocateCounts(o.trainCount, o.tasks), o.seed, o.task);
  const test = generateExamples('test', allocateCounts(o.testCount, o.tasks), o.seed, o.task);
  const all = [...train, ...test];
  await prepareOutDir(o, new Set(all.map((ex) => ex.image.slice(SUITE_FILES.images.length + 1))));

  const progress = new ProgressReporter('synthetic', all.length, o.onProgress);
  await writeImages(o, all, progress);

  const paths = Object.fromEntries(Object.entries(SUITE_FILES).map(([k, f]) => [k, join(o.outDir, f)])) as Record<
    keyof typeof SUITE_FILES,
    string
  >;
  const meta: LvrMetaEntry[] = [{ data_path: SUITE_FILES.train, image_folder: '.', ds_name: 'synthetic' }];
  const tokenizer = createWordLevelTokenizerJson({
    words: suiteWords(o.gridCells, [o.systemMessage]),
    extraSpecialTokens: SUITE_SPECIAL_TOKENS,
  });
  const manifest = buildManifest(o, train, test);
  await writeFileAtomic(paths.train, formatJsonArray(train.map(toLvrSftRecord)));
  await writeJsonAtomic(paths.meta, meta);
  await writeFileAtomic(paths.test, formatJsonLines(test.map(toBenchmarkRecord)));
  await writeJsonAtomic(paths.tokenizer, tokenizer);
  await writeJsonAtomic(paths.manifest, manifest);
  progress.finish();
  log.info('wrote synthetic suite', { outDir: o.outDir, train: train.length, test: test.length });
  return { outDir: o.outDir, manifest, paths, train, test };
}

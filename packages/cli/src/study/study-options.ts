import { UsageError, intOption, listOption, numberOption, type OptionSpec, type ParsedValues } from '../args.js';
import { ALL_STUDY_ARMS, DEFAULT_STUDY_ARMS, selectStudyArms } from './chase-arms.js';
import type { GridView } from '@lvr/model';
import type { StudyConfig } from './chase-study.js';
import { taskLabel } from './grid-items.js';

/** The defaults of `lvr ablate --task …` (the full study; `--quick` is the smoke size). */
export const STUDY_DEFAULTS = Object.freeze({
  seeds: 3, firstSeed: 0, steps: 1500, batchSize: 32, lr: 1e-3, testItems: 2000, probeItems: 500, evalBatch: 100, jobs: 2,
});
export const STUDY_QUICK = Object.freeze({
  seeds: 2, firstSeed: 0, steps: 4, batchSize: 8, lr: 1e-3, testItems: 16, probeItems: 8, evalBatch: 16, jobs: 2,
});

/** Options `lvr ablate` adds for the reasoning-task study. */
export const STUDY_OPTIONS: Record<string, OptionSpec> = {
  task: { type: 'string', valueName: 'NAME', description: 'run the reasoning-task study: chase | chase-legend | majority (see docs/results.md)' },
  view: { type: 'string', valueName: 'V', description: 'study: pixels (through the base\'s vision tower), symbols (perception-free) or pixels-cell (pixels + per-cell position codes, a diagnostic); default pixels' },
  hops: { type: 'string', valueName: 'LIST', description: 'study: chase hop counts trained and evaluated (default 1,2,3,4)' },
  arms: { type: 'string', valueName: 'LIST', description: `study: arms (default ${DEFAULT_STUDY_ARMS.join(',')})` },
  'headline-seeds': { type: 'string', valueName: 'N', description: 'study: seeds of the primary arm, SFT and Pause-K when more than --seeds (the headline comparison; default = --seeds)' },
  'first-seed': { type: 'string', valueName: 'N', description: 'study: first training seed (default 0)' },
  lr: { type: 'string', valueName: 'X', description: 'study: fine-tuning learning rate (default 1e-3)' },
  'test-items': { type: 'string', valueName: 'N', description: 'study: test items per task label (default 2000)' },
  'probe-items': { type: 'string', valueName: 'N', description: 'study: items per label for each latent probe (default 500)' },
  publish: { type: 'string', valueName: 'DOC', description: 'study: also write the report into DOC (e.g. docs/results.md) and its JSON into results/ beside it' },
  primary: { type: 'string', valueName: 'ARM@LABEL', description: 'study: the pre-stated primary comparison (default ptr-argmax@chase-k3)' },
};

/** The views `--view` accepts (a type-only import keeps option parsing free of tfjs). */
const GRID_VIEWS = ['pixels', 'symbols', 'pixels-cell'] as const satisfies readonly GridView[];

/**
 * Resolves a study's configuration from the command line (`--quick` = smoke sizes; explicit options win).
 *
 * @example
 * resolveStudyConfig({ task: 'chase', view: 'symbols', seeds: '5' }).testHops; // [1, 2, 3, 4]
 */
export function resolveStudyConfig(values: ParsedValues): StudyConfig {
  const d = values.quick === true ? STUDY_QUICK : STUDY_DEFAULTS;
  const name = values.task as string;
  if (!['chase', 'chase-legend', 'majority'].includes(name)) throw new UsageError(`--task must be chase, chase-legend or majority, got ${name}`);
  const view = (values.view as string | undefined) ?? 'pixels';
  if (!(GRID_VIEWS as readonly string[]).includes(view)) throw new UsageError(`--view must be ${GRID_VIEWS.join(', ')}; got ${view}`);
  const gridView = view as GridView;
  const hops = (listOption(values, 'hops', ['1', '2', '3', '4']) ?? ['1', '2', '3', '4']).map((h) => {
    const k = Number(h);
    if (!Number.isInteger(k) || k < 1 || k > 4) throw new UsageError(`--hops: each hop count must be an integer in 1..4, got ${h}`);
    return k;
  });
  const task = name === 'majority' ? { kind: 'majority' as const } : { kind: 'chase' as const, hops, legend: name === 'chase-legend' };
  const arms: string[] = listOption(values, 'arms', ALL_STUDY_ARMS) ?? (task.kind === 'majority' ? ['sft', 'livr'] : [...DEFAULT_STUDY_ARMS]);
  if (!arms.includes('sft')) arms.unshift('sft');
  selectStudyArms(arms);
  const primary = (values.primary as string | undefined) ?? (task.kind === 'majority' ? 'livr@majority' : `ptr-argmax@${taskLabel(task, hops.includes(3) ? 3 : hops[hops.length - 1])}`);
  const [primaryArm, primaryLabel] = primary.split('@') as [string, string | undefined];
  if (!primaryLabel) throw new UsageError(`--primary must be ARM@LABEL, got ${primary}`);
  return {
    task, view: gridView, arms, testHops: task.kind === 'chase' ? hops : [],
    seeds: intOption(values, 'seeds', 1, 100) ?? d.seeds,
    firstSeed: intOption(values, 'first-seed', 0, 1_000_000) ?? d.firstSeed,
    headlineSeeds: intOption(values, 'headline-seeds', 1, 100),
    steps: intOption(values, 'steps', 1, 1_000_000) ?? d.steps,
    batchSize: intOption(values, 'batch', 1, 4096) ?? d.batchSize,
    lr: numberOption(values, 'lr', 1e-7, 1) ?? d.lr,
    testItems: intOption(values, 'test-items', 1, 1_000_000) ?? d.testItems,
    probeItems: intOption(values, 'probe-items', 0, 1_000_000) ?? d.probeItems,
    evalBatch: d.evalBatch,
    jobs: intOption(values, 'jobs', 1, 16) ?? d.jobs,
    primaryArm, primaryLabel,
  };
}

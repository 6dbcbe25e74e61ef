import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  EXTRACTION_MODES,
  formatScoreTable,
  loadBlink,
  loadMmvp,
  loadVstar,
  makeResult,
  runResumable,
  scoreResults,
  type BenchmarkName,
  type ExtractionMode,
  type McqItem,
  type ResultRecord,
  type ScoreReport,
} from '@lvr/eval';
import { writeDemoData } from './demo-data.js';

/** What to score: benchmark folders (any subset), the predictions file and where results go. */
export interface ScorePredictionsOptions {
  mmvp?: string | undefined;
  vstar?: string | undefined;
  blink?: string | undefined;
  /** JSONL, one `{"id": "...", "prediction": "raw model text"}` per line. */
  predictions: string;
  /** Folder for the per-item results (`<benchmark>-<mode>.jsonl`, resumable). */
  out: string;
  mode?: ExtractionMode | undefined;
  /** MMVP ground-truth corrections (lmms-eval). */
  corrected?: boolean | undefined;
}

/** What {@link scorePredictions} produced. */
export interface ScorePredictionsResult {
  reports: ScoreReport[];
  records: ResultRecord[];
  /** Ids of items that had no prediction (left out of the scores). */
  missing: string[];
  /** Records computed by this call (the rest were already in the results files). */
  computed: number;
}

/** Reads `{"id", "prediction"}` lines into a map. */
export async function readPredictions(file: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  (await readFile(file, 'utf8')).split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let v: { id?: unknown; prediction?: unknown };
    try {
      v = JSON.parse(line) as typeof v;
    } catch {
      throw new Error(`${file}: line ${i + 1}: invalid JSON`);
    }
    if (typeof v.id !== 'string' || typeof v.prediction !== 'string') throw new Error(`${file}: line ${i + 1}: expected {"id": string, "prediction": string}`);
    out.set(v.id, v.prediction);
  });
  return out;
}

/** Loads each given benchmark, extracts the answer from each prediction, stores per-item results and scores them. */
export async function scorePredictions(opts: ScorePredictionsOptions): Promise<ScorePredictionsResult> {
  const mode = opts.mode ?? 'default';
  const predictions = await readPredictions(opts.predictions);
  const sets: [BenchmarkName, McqItem[]][] = [];
  if (opts.mmvp) sets.push(['mmvp', await loadMmvp(opts.mmvp, { corrected: opts.corrected ?? false })]);
  if (opts.vstar) sets.push(['vstar', await loadVstar(opts.vstar)]);
  if (opts.blink) sets.push(['blink', await loadBlink(opts.blink)]);
  const result: ScorePredictionsResult = { reports: [], records: [], missing: [], computed: 0 };
  for (const [benchmark, items] of sets) {
    const predicted = items.filter((it) => predictions.has(it.id));
    result.missing.push(...items.filter((it) => !predictions.has(it.id)).map((it) => it.id));
    if (predicted.length === 0) continue;
    const run = await runResumable(predicted, join(opts.out, `${benchmark}-${mode}.jsonl`), (it) => makeResult(it, predictions.get(it.id)!, { mode }));
    result.computed += run.computed;
    result.records.push(...run.records);
    result.reports.push(scoreResults(benchmark, run.records));
  }
  return result;
}

/** One line counting which extraction rule decided how many answers. */
export function ruleSummary(records: readonly ResultRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.rule, (counts.get(r.rule) ?? 0) + 1);
  return `rules: ${[...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${k} ${n}`).join(', ')}`;
}

/**
 * The command: with no paths it writes the demo data into a temporary folder; otherwise it scores the given
 * folders. Returns the text it prints.
 */
export async function main(argv: readonly string[]): Promise<string> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      mmvp: { type: 'string' },
      vstar: { type: 'string' },
      blink: { type: 'string' },
      predictions: { type: 'string' },
      out: { type: 'string' },
      mode: { type: 'string', default: 'default' },
      corrected: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  if (!(EXTRACTION_MODES as readonly string[]).includes(values.mode)) throw new Error(`--mode must be one of ${EXTRACTION_MODES.join(', ')}`);
  const demo = values.predictions === undefined;
  const root = demo ? await mkdtemp(join(tmpdir(), 'lvr-score-predictions-')) : undefined;
  try {
    const paths = root !== undefined ? await writeDemoData(root) : { mmvp: values.mmvp, vstar: values.vstar, blink: values.blink, predictions: values.predictions! };
    const out = values.out ?? join(root ?? '.', 'results');
    const r = await scorePredictions({ ...paths, out, mode: values.mode as ExtractionMode, corrected: values.corrected });
    return [
      `${demo ? `demo data in ${root}${values.keep ? '' : ' (removed afterwards; --keep keeps it)'}\n` : ''}` +
        `scored ${r.records.length} predictions (${r.computed} new, ${r.records.length - r.computed} already in ${out}), extraction mode ${values.mode}` +
        (r.missing.length > 0 ? `; ${r.missing.length} item(s) without a prediction: ${r.missing.slice(0, 5).join(', ')}` : ''),
      formatScoreTable(r.reports),
      ruleSummary(r.records),
    ].join('\n');
  } finally {
    if (root !== undefined && !values.keep) await rm(root, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${await main(process.argv.slice(2))}\n`);
}

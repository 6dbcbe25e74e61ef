import { join } from 'node:path';
import { LvrError, createLogger } from '@lvr/core';
import { optionLetter, type McqItem } from '../item.js';
import { parseAnswerLetter, splitLetteredOptions } from './choices.js';
import { parseCsv } from './csv.js';
import { ImageFiles } from './images.js';
import { describe, rowError, type RawRow } from './location.js';
import { pathExists, readTextFile } from './text-files.js';

const log = createLogger('eval:mmvp');

/** Options of {@link loadMmvp}. */
export interface MmvpLoadOptions {
  /**
   * Apply the ground-truth corrections of lmms-eval (tsb0601/MMVP#30, lmms-eval#1018): items 99 and 279 get
   * answer B, items 100 and 280 answer A ({@link MMVP_CORRECTIONS}). On the original MMVP/MMVP labels this
   * swaps the answers within the pairs 99↔100 (elephant tusks) and 279↔280 (standing / sitting); on the
   * already-corrected lmms-lab-eval copy it changes nothing. Default `false` (the original labels). Report
   * which one you used.
   */
  corrected?: boolean;
  /** Check that every image file exists (default `true`). */
  checkImages?: boolean;
}

/** The CSV columns MMVP's `Questions.csv` must have. */
export const MMVP_COLUMNS = Object.freeze(['Index', 'Question', 'Options', 'Correct Answer'] as const);
/** The corrected answers (by MMVP `Index`) that `corrected: true` applies. */
export const MMVP_CORRECTIONS: Readonly<Record<number, string>> = Object.freeze({ 99: 'B', 100: 'A', 279: 'B', 280: 'A' });
/** The two image-folder names in use: the Hugging Face dataset's, and the LVR evaluation's rename. */
export const MMVP_IMAGE_DIRS = Object.freeze(['MMVP Images', 'MMVP_Images'] as const);

/**
 * Loads MMVP from a local folder holding `Questions.csv` (`Index,Question,Options,Correct Answer`, options
 * inline as `"(a) Open (b) Closed"`, answers `"(a)"`) and the images `MMVP Images/{Index}.jpg` (or
 * `MMVP_Images/`). Rows (1,2), (3,4), … form pairs: `pairId = floor((Index − 1) / 2)`. Items come in CSV
 * order with ids `mmvp-{Index}` and category `"mmvp"`. Bad rows are `DATASET_FORMAT` naming the file,
 * line and field; a missing image is `IO_ERROR`.
 *
 * @example
 * const items = await loadMmvp('/data/MMVP', { corrected: true });
 * items[0]; // { id: 'mmvp-1', options: ['Open', 'Closed'], answer: 'A', pairId: '0', … }
 */
export async function loadMmvp(dir: string, opts: MmvpLoadOptions = {}): Promise<McqItem[]> {
  const corrected = opts.corrected ?? false;
  const checkImages = opts.checkImages ?? true;
  const file = join(dir, 'Questions.csv');
  const table = parseCsv(await readTextFile(file, 'MMVP questions file'), file);
  const col = new Map(table.header.map((h, i) => [h, i]));
  for (const c of MMVP_COLUMNS) {
    if (!col.has(c)) {
      throw rowError({ file, line: 1 }, c, `missing column (the header is ${table.header.join(',')}; expected ${MMVP_COLUMNS.join(',')})`);
    }
  }
  let imageDir: string = MMVP_IMAGE_DIRS[0];
  for (const d of MMVP_IMAGE_DIRS) {
    if (await pathExists(join(dir, d))) {
      imageDir = d;
      break;
    }
  }
  if (checkImages && !(await pathExists(join(dir, imageDir)))) {
    throw new LvrError('IO_ERROR', `${dir}: no MMVP image folder (expected "${MMVP_IMAGE_DIRS.join('" or "')}")`, { details: { file: dir } });
  }
  const images = await ImageFiles.create(dir, checkImages);
  const seen = new Map<number, number>();
  const items: McqItem[] = [];
  for (const rec of table.records) {
    const value = Object.fromEntries(MMVP_COLUMNS.map((c) => [c, rec.fields[col.get(c)!]!.trim()]));
    const row: RawRow = { loc: { file, line: rec.line }, value };
    const indexText = value.Index!;
    const index = /^\d+$/.test(indexText) ? Number(indexText) : NaN;
    if (!(index >= 1)) throw rowError(row.loc, 'Index', `expected a positive integer, got ${describe(indexText)}`);
    const dup = seen.get(index);
    if (dup !== undefined) throw rowError(row.loc, 'Index', `duplicate Index ${index} (first on line ${dup})`);
    seen.set(index, rec.line);
    const question = value.Question!;
    if (question.length === 0) throw rowError(row.loc, 'Question', 'expected a non-empty question');
    const split = splitLetteredOptions(value.Options!);
    if (split === null || split.question.length > 0 || split.options.some((o) => o.length === 0)) {
      throw rowError(row.loc, 'Options', `expected "(a) X (b) Y", got ${describe(value.Options)}`);
    }
    const answerIndex = parseAnswerLetter(value['Correct Answer']!, split.options.length);
    if (answerIndex < 0) {
      const letters = split.options.map((_, i) => `(${String.fromCharCode(97 + i)})`).join(', ');
      throw rowError(row.loc, 'Correct Answer', `expected one of ${letters}, got ${describe(value['Correct Answer'])}`);
    }
    items.push({
      id: `mmvp-${index}`,
      benchmark: 'mmvp',
      images: [await images.file(join(imageDir, `${index}.jpg`), row, 'Index (image)')],
      question,
      options: split.options,
      answer: optionLetter(answerIndex),
      category: 'mmvp',
      pairId: String(Math.floor((index - 1) / 2)),
      meta: { index, options_raw: value.Options, answer_raw: value['Correct Answer'], corrected },
    });
  }
  return corrected ? applyCorrections(items) : items;
}

function applyCorrections(items: McqItem[]): McqItem[] {
  let changed = 0;
  const out = items.map((it) => {
    const fixed = MMVP_CORRECTIONS[it.meta!.index as number];
    if (fixed === undefined || fixed === it.answer) return it;
    changed++;
    return { ...it, answer: fixed, meta: { ...it.meta, answer_original: it.answer } };
  });
  log.info(`corrected: ${changed} of ${Object.keys(MMVP_CORRECTIONS).length} corrected answers changed a label`);
  return out;
}

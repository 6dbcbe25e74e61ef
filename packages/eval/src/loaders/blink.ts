import { basename, dirname } from 'node:path';
import { LvrError } from '@lvr/core';
import { optionLetter, type ImageRef, type McqItem } from '../item.js';
import { answerIndexField } from './choices.js';
import { findDataFiles } from './files.js';
import { ImageFiles } from './images.js';
import { describe, rowError, stringArrayField, stringField, type RawRow } from './location.js';
import { readParquetRows, type ParquetRowsOptions } from './parquet.js';
import { readJsonLines } from './text-files.js';

/** The 14 BLINK subtasks (the Hugging Face config names). */
export const BLINK_SUBTASKS = Object.freeze([
  'Art_Style', 'Counting', 'Forensic_Detection', 'Functional_Correspondence', 'IQ_Test', 'Jigsaw', 'Multi-view_Reasoning',
  'Object_Localization', 'Relative_Depth', 'Relative_Reflectance', 'Semantic_Correspondence', 'Spatial_Relation',
  'Visual_Correspondence', 'Visual_Similarity',
] as const);

/** The 5 subtasks the LVR paper evaluates (val split). */
export const LVR_BLINK_SUBTASKS = Object.freeze(['Counting', 'IQ_Test', 'Jigsaw', 'Relative_Reflectance', 'Spatial_Relation'] as const);

/** The image columns of a BLINK row, in order. */
export const BLINK_IMAGE_FIELDS = Object.freeze(['image_1', 'image_2', 'image_3', 'image_4'] as const);

/** Options of {@link loadBlink}. */
export interface BlinkLoadOptions extends ParquetRowsOptions {
  /** Only these subtasks (default: all found). Unknown names are `CONFIG_INVALID`. */
  subtasks?: readonly string[] | undefined;
  /**
   * Only files of this split when their name starts with a split (`val-00000-of-00001.parquet`); files
   * without a split prefix are always read. Default `'val'` (the test split's answers are hidden).
   */
  split?: string | undefined;
  /** Check that image files named by path exist (default `true`). */
  checkImages?: boolean | undefined;
}

function resolveSubtasks(subtasks: readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (subtasks === undefined) return undefined;
  const known = new Set<string>(BLINK_SUBTASKS);
  const bad = subtasks.filter((s) => !known.has(s));
  if (bad.length > 0) {
    throw new LvrError('CONFIG_INVALID', `blink: unknown subtask(s) ${bad.join(', ')}; known: ${BLINK_SUBTASKS.join(', ')}`, {
      details: { subtasks: bad },
    });
  }
  return new Set(subtasks);
}

async function rowToItem(row: RawRow, images: ImageFiles): Promise<McqItem> {
  const idx = stringField(row, 'idx', { allowNumber: true });
  const question = stringField(row, 'question');
  const subTask = stringField(row, 'sub_task');
  const options = stringArrayField(row, 'choices');
  const answer = stringField(row, 'answer');
  const answerIndex = answerIndexField(row, answer, options.length);
  const refs: ImageRef[] = [];
  for (const f of BLINK_IMAGE_FIELDS) {
    const ref = await images.struct(row.value[f], row, f);
    if (ref !== undefined) refs.push(ref);
  }
  if (refs.length === 0) throw rowError(row.loc, 'image_1', 'the row has no image');
  return {
    id: idx,
    benchmark: 'blink',
    images: refs,
    question,
    options,
    answer: optionLetter(answerIndex),
    category: subTask,
    meta: { idx, ...(typeof row.value.prompt === 'string' ? { prompt: row.value.prompt } : {}) },
  };
}

/**
 * Loads BLINK from a local parquet or JSONL file, or a folder of them (the Hugging Face layout
 * `{Subtask}/val-00000-of-00001.parquet`). Rows have `idx, question, sub_task, image_1..image_4, choices,
 * answer "(A)"` (and `prompt`); images are Hugging Face image structs `{bytes, path}` in parquet (kept in
 * memory) or paths relative to the JSONL file in JSONL (`null` for absent images). Items keep file order,
 * `id = idx`, `category = sub_task`. Bad rows are `DATASET_FORMAT` naming the file and the row (0-based
 * for parquet) or line (JSONL).
 *
 * @example
 * const items = await loadBlink('/data/BLINK', { subtasks: LVR_BLINK_SUBTASKS });
 * items[0].images.length; // 1..4
 */
export async function loadBlink(dirOrFile: string, opts: BlinkLoadOptions = {}): Promise<McqItem[]> {
  const only = resolveSubtasks(opts.subtasks);
  const split = opts.split ?? 'val';
  const files = (await findDataFiles(dirOrFile, ['.parquet', '.jsonl'])).filter((f) => {
    const m = /^(val|test|dev|train)[-_.]/.exec(basename(f));
    if (m !== null && m[1] !== split) return false;
    const folder = basename(dirname(f));
    return only === undefined || !(BLINK_SUBTASKS as readonly string[]).includes(folder) || only.has(folder);
  });
  if (files.length === 0) {
    throw new LvrError('IO_ERROR', `${dirOrFile}: no BLINK .parquet or .jsonl files (split ${split})`, { details: { file: dirOrFile } });
  }
  const items: McqItem[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const rows = file.endsWith('.parquet') ? await readParquetRows(file, opts) : await readJsonLines(file);
    const images = await ImageFiles.create(dirname(file), opts.checkImages ?? true);
    for (const row of rows) {
      if (only !== undefined && typeof row.value.sub_task === 'string' && !only.has(row.value.sub_task)) continue;
      const item = await rowToItem(row, images);
      const where = `${file}: ${row.loc.line !== undefined ? `line ${row.loc.line}` : `row ${row.loc.row}`}`;
      const first = seen.get(item.id);
      if (first !== undefined) throw rowError(row.loc, 'idx', `duplicate idx ${describe(item.id)} (first at ${first})`);
      seen.set(item.id, where);
      items.push(item);
    }
  }
  return items;
}

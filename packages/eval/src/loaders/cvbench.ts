import { basename, dirname, join } from 'node:path';
import { LvrError } from '@lvr/core';
import { optionLetter, type ImageRef, type McqItem } from '../item.js';
import { answerIndexField } from './choices.js';
import { findDataFiles } from './files.js';
import { ImageFiles } from './images.js';
import { describe, rowError, stringArrayField, stringField, type RawRow } from './location.js';
import { readParquetRows, type ParquetRowsOptions } from './parquet.js';
import { pathExists, readJsonLines } from './text-files.js';

/** The image sources of CV-Bench: ADE20K and COCO (2D tasks) and Omni3D (3D tasks). */
export const CVBENCH_SOURCES = Object.freeze(['ADE20K', 'COCO', 'Omni3D'] as const);

/** Options of {@link loadCvBench}. */
export interface CvBenchLoadOptions extends ParquetRowsOptions {
  /** Which files to read when both exist (default: JSONL when any `test*.jsonl` exists, else parquet). */
  format?: 'jsonl' | 'parquet' | undefined;
  /** Check that image files named by path exist (default `true`). */
  checkImages?: boolean | undefined;
}

async function pickFiles(dir: string, format: 'jsonl' | 'parquet' | undefined): Promise<string[]> {
  const candidates = async (ext: string): Promise<string[]> => {
    const split = [join(dir, `test_2d${ext}`), join(dir, `test_3d${ext}`)];
    const present = [];
    for (const f of split) if (await pathExists(f)) present.push(f);
    if (present.length > 0) return present;
    return (await pathExists(join(dir, `test${ext}`))) ? [join(dir, `test${ext}`)] : [];
  };
  if (format !== undefined) return candidates(`.${format}`);
  const jsonl = await candidates('.jsonl');
  return jsonl.length > 0 ? jsonl : candidates('.parquet');
}

async function rowToItem(row: RawRow, images: ImageFiles): Promise<McqItem> {
  const idx = stringField(row, 'idx', { allowNumber: true });
  const type = stringField(row, 'type');
  const task = stringField(row, 'task');
  const source = stringField(row, 'source');
  const question = stringField(row, 'question');
  const options = stringArrayField(row, 'choices');
  const answer = stringField(row, 'answer');
  const answerIndex = answerIndexField(row, answer, options.length);
  let image: ImageRef | undefined = await images.struct(row.value.image, row, 'image');
  if (image === undefined) {
    const filename = row.value.filename;
    if (typeof filename !== 'string' || filename.length === 0) {
      throw rowError(row.loc, 'image', `the row has no image and no filename (got ${describe(filename)})`);
    }
    image = await images.file(filename, row, 'filename');
  }
  const meta: Record<string, unknown> = { idx: row.value.idx };
  for (const k of ['prompt', 'filename', 'source_dataset', 'source_filename', 'target_class', 'target_size', 'bbox']) {
    if (row.value[k] !== undefined && row.value[k] !== null) meta[k] = row.value[k];
  }
  return {
    id: `cvbench-${type.toLowerCase()}-${idx}`,
    benchmark: 'cvbench',
    images: [image],
    question,
    options,
    answer: optionLetter(answerIndex),
    category: task,
    groups: { source, type },
    meta,
  };
}

/**
 * Loads CV-Bench from a local folder: `test_2d` / `test_3d` (or the older single `test`) as `.jsonl`
 * (images from `filename`, e.g. `img/2D/count/ade20k_10.png`, relative to the folder) or `.parquet`
 * (the `image` struct `{bytes, path}`), or one such file. Rows have `idx, type, task, question, choices,
 * answer "(C)", source` (+ `prompt`, `filename`, …). Items: `id = cvbench-{type}-{idx}`, `category = task`,
 * `groups = { source, type }` (the official score averages by source). Bad rows are `DATASET_FORMAT`
 * naming the file and row.
 *
 * @example
 * const items = await loadCvBench('/data/CV-Bench');
 * items[0].groups; // { source: 'ADE20K', type: '2D' }
 */
export async function loadCvBench(dirOrFile: string, opts: CvBenchLoadOptions = {}): Promise<McqItem[]> {
  const found = await findDataFiles(dirOrFile, ['.jsonl', '.parquet']);
  const isFile = found.length === 1 && found[0] === dirOrFile;
  const files = isFile ? found : await pickFiles(dirOrFile, opts.format);
  if (files.length === 0) {
    throw new LvrError('IO_ERROR', `${dirOrFile}: no CV-Bench files (expected test_2d / test_3d or test as .jsonl or .parquet)`, {
      details: { file: dirOrFile },
    });
  }
  const items: McqItem[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const rows = file.endsWith('.parquet') ? await readParquetRows(file, opts) : await readJsonLines(file);
    const images = await ImageFiles.create(dirname(file), opts.checkImages ?? true);
    for (const row of rows) {
      const item = await rowToItem(row, images);
      const first = seen.get(item.id);
      if (first !== undefined) throw rowError(row.loc, 'idx', `duplicate idx (item ${item.id} first in ${first})`);
      seen.set(item.id, basename(file));
      items.push(item);
    }
  }
  return items;
}

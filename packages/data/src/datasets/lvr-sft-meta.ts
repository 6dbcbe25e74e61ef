import { dirname, resolve } from 'node:path';
import { LvrError } from '@lvr/core';
import { extraFields, nonEmptyText, parseRecord, recordSchema, type RawRecord } from './fields.js';
import { readJsonArray } from './json-source.js';
import { readLvrSftDataset } from './lvr-sft.js';
import { resolveDatasetReadOptions, type DatasetReadOptions } from './options.js';
import { recordError } from './record-error.js';
import type { LvrSftRecord, SkippedRecord } from './types.js';

/** Options of {@link readLvrSftMeta}: those of the dataset reader minus the per-dataset image folder. */
export type LvrSftMetaOptions = Omit<DatasetReadOptions, 'imageFolder'>;

/** One dataset listed in a meta file, read and validated. */
export interface LvrSftMetaEntry {
  /** `ds_name` (unique within the meta file). */
  readonly dsName: string;
  /** Absolute path of the dataset JSON (`data_path`, relative to the meta file's folder). */
  readonly dataPath: string;
  /** Absolute image folder (`image_folder`, relative to the meta file's folder). */
  readonly imageFolder: string;
  /** Any other fields of the meta entry (e.g. `repeat_time`), untouched. */
  readonly extra: Readonly<Record<string, unknown>>;
  readonly records: LvrSftRecord[];
  readonly skipped: SkippedRecord[];
}

const META_KEYS = ['data_path', 'image_folder', 'ds_name'] as const;

/** One entry of the meta file; other fields (`repeat_time`, …) go to `extra`. */
const metaEntrySchema = recordSchema({ data_path: nonEmptyText, image_folder: nonEmptyText, ds_name: nonEmptyText });

/**
 * Reads the stage-1 meta file — a JSON array of `{ data_path, image_folder, ds_name }` (lvr-reference.md
 * §2.1) — and every dataset it lists, in order, with {@link readLvrSftDataset}. Relative `data_path` and
 * `image_folder` are resolved against the meta file's folder. The meta file itself is validated strictly
 * (`DATASET_FORMAT` naming the meta file, entry index and field; `ds_name` must be unique; at least one
 * entry) before any dataset is read; `options.onInvalid` applies to the records of the datasets.
 *
 * @example
 * const sets = await readLvrSftMeta('data/meta_data_lvr_sft_stage1.json', { checkImages: 'exists' });
 * const summary = sets.map((s) => [s.dsName, s.records.length, s.skipped.length]);
 */
export async function readLvrSftMeta(metaPath: string, options: LvrSftMetaOptions = {}): Promise<LvrSftMetaEntry[]> {
  // Validate the shared options once, up front (the image folder is per entry).
  resolveDatasetReadOptions({ ...options, imageFolder: '.' });
  const raws = await readJsonArray(metaPath);
  if (raws.length === 0) {
    throw new LvrError('DATASET_FORMAT', `${metaPath}: the meta file lists no datasets`, { details: { file: metaPath } });
  }
  const base = dirname(resolve(metaPath));
  const seen = new Map<string, number>();
  const specs = raws.map((raw, index) => {
    const loc = { file: metaPath, index };
    const entry = parseRecord(metaEntrySchema, raw, loc);
    const dataPath = resolve(base, entry.data_path);
    const imageFolder = resolve(base, entry.image_folder);
    const dsName = entry.ds_name;
    const first = seen.get(dsName);
    if (first !== undefined) {
      throw recordError('DATASET_FORMAT', loc, 'ds_name', `"${dsName}" is already used by entry ${first}; ds_name must be unique`);
    }
    seen.set(dsName, index);
    return { dsName, dataPath, imageFolder, extra: extraFields(raw as RawRecord, META_KEYS, loc) };
  });
  const out: LvrSftMetaEntry[] = [];
  for (const spec of specs) {
    const { records, skipped } = await readLvrSftDataset(spec.dataPath, { ...options, imageFolder: spec.imageFolder });
    out.push({ ...spec, records, skipped });
  }
  return out;
}

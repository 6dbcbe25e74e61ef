import { isAbsolute, relative, resolve, sep } from 'node:path';
import * as z from 'zod';
import { LvrError, writeJsonAtomic } from '@lvr/core';
import type { NormalizedBox } from '../roi/box.js';
import {
  boxListField,
  checkBoxRanges,
  checkPlaceholders,
  conversationsField,
  extraFields,
  idFields,
  imageField,
  imagePaths,
  normalizedRange,
  parseRecord,
  peekId,
  recordId,
  recordSchema,
  type RawRecord,
} from './fields.js';
import { ImageChecker } from './image-check.js';
import { readJsonArray } from './json-source.js';
import { resolveDatasetReadOptions, type DatasetReadOptions } from './options.js';
import { PathResolver } from './path-safety.js';
import { recordError, withLocation, type RecordLocation } from './record-error.js';
import { runRecords } from './record-runner.js';
import type { Conversation, DatasetReadResult, LvrSftRecord } from './types.js';

const CORE_KEYS = ['id', 'image', 'conversations', 'bboxes', 'lvr_chain'] as const;

/** A validated SFT record whose image paths are not resolved yet. */
export interface SftDraft {
  readonly id: string;
  readonly images: readonly { path: string; field: string }[];
  readonly conversations: Conversation[];
  readonly bboxes: NormalizedBox[];
  /** `"lvr_chain": true`: every box belongs to the single `<lvr>` placeholder, in order. */
  readonly lvrChain: boolean;
  readonly extra: Record<string, unknown>;
}

/** The SFT record schema for one box tolerance (cached: a reader uses one). */
const sftSchemas = new Map<number, ReturnType<typeof buildSftSchema>>();

function buildSftSchema(tolerance: number) {
  const range = normalizedRange(tolerance);
  return recordSchema({
    ...idFields,
    image: imageField.nullish(),
    conversations: conversationsField,
    bboxes: boxListField('expected an array of boxes').nullish(),
    /** `"lvr_chain": true`: every box belongs to the single `<lvr>`, in order. */
    lvr_chain: z.boolean({ error: 'expected true or false' }).nullish(),
  }).superRefine((r, ctx) => checkBoxRanges(r.bboxes ?? [], range, 'bboxes', ctx));
}

function sftSchema(tolerance: number): ReturnType<typeof buildSftSchema> {
  let schema = sftSchemas.get(tolerance);
  if (!schema) sftSchemas.set(tolerance, (schema = buildSftSchema(tolerance)));
  return schema;
}

/**
 * Validates one raw SFT record (object; `image`; `conversations`; `bboxes`; placeholder counts) and throws
 * a `DATASET_FORMAT` LvrError naming file, record and field at the first problem. Boxes need an image.
 */
export function parseSftRecord(raw: unknown, loc: RecordLocation, boxTolerance: number): SftDraft {
  const r = parseRecord(sftSchema(boxTolerance), raw, loc);
  const images = imagePaths(r.image);
  const bboxes: NormalizedBox[] = r.bboxes ?? [];
  if (bboxes.length > 0 && images.length === 0) {
    throw recordError('DATASET_FORMAT', loc, 'image', `${bboxes.length} box(es) but no image to take them from`);
  }
  const lvrChain = r.lvr_chain === true;
  if (lvrChain && bboxes.length === 0) {
    throw recordError('DATASET_FORMAT', loc, 'bboxes', '"lvr_chain": true needs at least one box (the ordered ROI of the one <lvr>)');
  }
  // A chain's boxes all belong to exactly one <lvr> placeholder.
  checkPlaceholders(r.conversations, images.length, lvrChain ? 1 : bboxes.length, loc);
  return { id: recordId(r, loc), images, conversations: r.conversations, bboxes, lvrChain, extra: extraFields(raw as RawRecord, CORE_KEYS, loc) };
}

/**
 * Reads a stage-1 LVR SFT JSON file: a JSON array of LLaVA-style records
 * `{ id?, image: string | string[], conversations: [{from:'human'|'gpt', value}], bboxes: [[x0,y0,x1,y1]], … }`
 * (lvr-reference.md §2.1). Every record is validated; errors name file, record index and field, e.g.
 * `data/train.json: record 12 field "bboxes[0][2]": expected a finite number, got Infinity`.
 *
 * - Image paths are resolved inside `options.imageFolder` (never relative to the working directory, unlike
 *   the reference); `..` escapes, absolute paths elsewhere, URLs and symlinks out of the folder are
 *   rejected with `PATH_OUTSIDE_ROOT`. Images are then checked per `options.checkImages` (default `'exists'`).
 * - Box coordinates must be finite with x0 ≤ x1, y0 ≤ y1 and lie in [0, 1] up to `options.boxTolerance`
 *   (default 0.01); they are kept as written (the ROI mapper clamps).
 * - The `<lvr>` placeholders (gpt turns only) must match the boxes one to one, and the `<image>`
 *   placeholders the images — the reference silently zips and drops the surplus; here it is an error.
 *   Exception (an @lvr extension for the ordered-ROI reasoning tasks): `"lvr_chain": true` puts every box
 *   in the record's single `<lvr>`, in order (`record.lvrChain`; token groups via `recordLvrGroups`).
 * - With `onInvalid: 'skip'` bad records land in `skipped` (with a logged warning) instead of throwing.
 *
 * @example
 * const { records, skipped } = await readLvrSftDataset('data/train.json', { imageFolder: 'data/images' });
 * records[0].bboxes[0]; // [0.382, 0.456, 0.718, 0.656]
 */
export async function readLvrSftDataset(
  jsonPath: string,
  options: DatasetReadOptions,
): Promise<DatasetReadResult<LvrSftRecord>> {
  const opts = resolveDatasetReadOptions(options);
  const resolver = await PathResolver.create(opts.imageFolder);
  const checker = new ImageChecker(opts.checkImages, opts.imageDecode);
  const raws = await readJsonArray(jsonPath);
  const items = raws.map((raw, index) => ({ index, raw }));
  return runRecords(
    jsonPath,
    items,
    opts,
    async ({ index, raw }): Promise<LvrSftRecord> => {
      const loc = { file: jsonPath, index };
      const draft = parseSftRecord(raw, loc, opts.boxTolerance);
      const images: string[] = [];
      for (const { path, field } of draft.images) {
        try {
          const abs = await resolver.resolve(path);
          await checker.check(abs);
          images.push(abs);
        } catch (e) {
          throw withLocation(e, loc, field);
        }
      }
      const { id, conversations, bboxes, lvrChain, extra } = draft;
      return { index, id, images, conversations, bboxes, ...(lvrChain ? { lvrChain } : {}), extra };
    },
    (item) => peekId(item.raw),
  );
}

/** Options of {@link writeLvrSftDataset}. */
export interface WriteLvrSftOptions {
  /** Folder the written image paths are made relative to; every image must lie inside it. */
  imageFolder: string;
  /** Same meaning and default (0.01) as {@link DatasetReadOptions.boxTolerance}. */
  boxTolerance?: number;
}

/** `path` relative to `root` with `/` separators; `PATH_OUTSIDE_ROOT` when it is not inside. */
export function relativeInside(root: string, path: string, loc: RecordLocation, field: string): string {
  const rel = relative(resolve(root), resolve(path));
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw recordError('PATH_OUTSIDE_ROOT', loc, field, `image ${path} is not inside the image folder ${root}`);
  }
  return rel.split(sep).join('/');
}

/** Builds the JSON object of a record, rejecting extra keys that would shadow the core fields. */
function toJsonRecord(rec: LvrSftRecord, images: string[], loc: RecordLocation): Record<string, unknown> {
  for (const key of CORE_KEYS) {
    if (key in rec.extra) throw recordError('INVALID_ARGUMENT', loc, `extra.${key}`, `"${key}" is a core field and cannot be in extra`);
  }
  const out: Record<string, unknown> = { id: rec.id };
  if (images.length === 1) out.image = images[0];
  else if (images.length > 1) out.image = images;
  out.conversations = rec.conversations.map(({ from, value }) => ({ from, value }));
  out.bboxes = rec.bboxes.map((b) => [...b]);
  if (rec.lvrChain === true) out.lvr_chain = true;
  return { ...out, ...rec.extra };
}

/**
 * Writes records as an LVR SFT JSON file (atomically, 2-space indented) that {@link readLvrSftDataset}
 * reads back to the same records: image paths are written relative to `options.imageFolder` with `/`
 * separators (a single image as a string), `extra` fields are kept. Every record is validated with the
 * reader's rules first, so a writer never produces a file its reader rejects (image existence aside).
 *
 * @example
 * await writeLvrSftDataset('out/train.json', records, { imageFolder: 'out' });
 */
export async function writeLvrSftDataset(
  path: string,
  records: readonly LvrSftRecord[],
  options: WriteLvrSftOptions,
): Promise<void> {
  if (!Array.isArray(records as unknown)) throw new LvrError('INVALID_ARGUMENT', `writeLvrSftDataset(${path}): records must be an array`);
  const tolerance = resolveDatasetReadOptions({ imageFolder: options.imageFolder, boxTolerance: options.boxTolerance }).boxTolerance;
  const json = records.map((rec, index) => {
    const loc = { file: path, index };
    const images = rec.images.map((img, j) => relativeInside(options.imageFolder, img, loc, `images[${j}]`));
    const obj = toJsonRecord(rec, images, loc);
    // Any violation is the caller's bug, so the reader's DATASET_FORMAT becomes INVALID_ARGUMENT.
    try {
      parseSftRecord(obj, loc, tolerance);
    } catch (e) {
      throw e instanceof LvrError ? new LvrError('INVALID_ARGUMENT', e.message, { cause: e, details: e.details }) : e;
    }
    return obj;
  });
  await writeJsonAtomic(path, json);
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LvrError } from '@lvr/core';
import { MAX_BOXES_PER_RECORD, unionBox, type NormalizedBox } from '@lvr/data';
import { optionLetter, type McqItem } from '../item.js';
import { parseAnswerLetter, splitLetteredOptions } from './choices.js';
import { ImageFiles, imagePixelSize } from './images.js';
import { atRow, describe, rowError, rowLabel, stringField, type RawRow } from './location.js';
import { pathExists, readJsonLines } from './text-files.js';

/** Options of {@link loadVstar}. */
export interface VstarLoadOptions {
  /** Check that every image file exists (default `true`). */
  checkImages?: boolean;
  /** Read the per-image JSON next to each image for the ROI (default `true`). */
  roi?: boolean;
}

/** The two V* categories; `question_id ≤ 114` is direct_attributes when a row has no category. */
export const VSTAR_CATEGORIES = Object.freeze(['direct_attributes', 'relative_position'] as const);
/** Last question id of direct_attributes (the LVR evaluation's fallback rule). */
export const VSTAR_LAST_DIRECT_ATTRIBUTES_ID = 114;

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

function positiveNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/** The ROI of one image from its annotation JSON: boxes `[x, y, w, h]` in pixels → normalised xyxy. */
async function readAnnotation(
  jsonFile: string,
  imagePath: string,
  row: RawRow,
): Promise<{ roi?: NormalizedBox; boxes: NormalizedBox[]; targets: string[]; width?: number; height?: number }> {
  const where = `${jsonFile} (annotation of ${rowLabel(row.loc)})`;
  const fail = (field: string, message: string, cause?: unknown): LvrError =>
    new LvrError('DATASET_FORMAT', `${where} field "${field}": ${message}`, { cause, details: { file: jsonFile, line: row.loc.line, field } });
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(jsonFile, 'utf8'));
  } catch (cause) {
    throw fail('(file)', `cannot read or parse the JSON (${cause instanceof Error ? cause.message : String(cause)})`, cause);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail('(file)', `expected a JSON object, got ${describe(raw)}`);
  const ann = raw as Record<string, unknown>;
  const bbox = ann.bbox ?? [];
  if (!Array.isArray(bbox)) throw fail('bbox', `expected a list of [x, y, w, h] boxes, got ${describe(bbox)}`);
  const targets: string[] = [];
  if (Array.isArray(ann.target_object)) {
    ann.target_object.forEach((t: unknown, k) => {
      // String() of a nested array recurses once per level; only names are targets
      if (typeof t !== 'string' && typeof t !== 'number') throw fail(`target_object[${k}]`, `expected a name, got ${describe(t)}`);
      targets.push(String(t));
    });
  }
  if (bbox.length === 0) return { boxes: [], targets };
  if (bbox.length > MAX_BOXES_PER_RECORD) throw fail('bbox', `${bbox.length} boxes; an annotation may hold at most ${MAX_BOXES_PER_RECORD}`);
  let width = positiveNumber(ann.width);
  let height = positiveNumber(ann.height);
  if (width === undefined || height === undefined) {
    try {
      ({ width, height } = await imagePixelSize(imagePath));
    } catch (e) {
      throw atRow(e, row.loc, 'image (its size normalises the bbox)');
    }
  }
  const boxes = bbox.map((b: unknown, k): NormalizedBox => {
    if (!Array.isArray(b) || b.length !== 4 || !b.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw fail(`bbox[${k}]`, `expected [x, y, w, h] of finite numbers, got ${describe(b)}`);
    }
    const [x, y, w, h] = b as [number, number, number, number];
    if (w < 0 || h < 0) throw fail(`bbox[${k}]`, `width and height must be ≥ 0, got ${JSON.stringify(b)}`);
    return [clamp01(x / width!), clamp01(y / height!), clamp01((x + w) / width!), clamp01((y + h) / height!)];
  });
  return { roi: unionBox(boxes), boxes, targets, width, height };
}

/**
 * Loads V* Bench from a local folder holding `test_questions.jsonl` (rows `{image, text, category,
 * question_id, label}`, where `text` is the question, `(A) …` option lines and an answer instruction) and the
 * images with their per-image annotation JSON (`direct_attributes/sa_4690.jpg` + `sa_4690.json`, boxes
 * `[x, y, w, h]` in pixels). The ROI is the union of the annotation's boxes, normalised by the image size
 * (from the JSON's `width`/`height` when present, else read from the image header); every box is kept in
 * `meta.boxes`. A row without a category gets `question_id ≤ 114 → direct_attributes`, else
 * relative_position. Ids are `vstar-{question_id}`.
 *
 * @example
 * const items = await loadVstar('/data/vstar_bench');
 * items[0].roi; // [0.282, 0.0947, 0.3595, 0.1993] for sa_4690's glove
 */
export async function loadVstar(dir: string, opts: VstarLoadOptions = {}): Promise<McqItem[]> {
  const file = join(dir, 'test_questions.jsonl');
  const rows = await readJsonLines(file);
  const images = await ImageFiles.create(dir, opts.checkImages ?? true);
  const seen = new Map<string, number>();
  const items: McqItem[] = [];
  for (const row of rows) {
    const qid = stringField(row, 'question_id', { allowNumber: true }).trim();
    const firstLine = seen.get(qid);
    if (firstLine !== undefined) throw rowError(row.loc, 'question_id', `duplicate question_id ${qid} (first on line ${firstLine})`);
    seen.set(qid, row.loc.line!);
    const text = stringField(row, 'text');
    const split = splitLetteredOptions(text);
    if (split === null || split.question.length === 0 || split.options.some((o) => o.length === 0)) {
      throw rowError(row.loc, 'text', `expected a question followed by "(A) …" and "(B) …" options, got ${describe(text)}`);
    }
    const label = stringField(row, 'label');
    const answerIndex = parseAnswerLetter(label, split.options.length);
    if (answerIndex < 0) {
      throw rowError(row.loc, 'label', `expected one of A..${optionLetter(split.options.length - 1)}, got ${describe(label)}`);
    }
    let category = row.value.category;
    if (category === undefined || category === null || category === '') {
      const n = Number(qid);
      if (!Number.isInteger(n)) throw rowError(row.loc, 'category', `missing, and question_id ${describe(qid)} is not an integer to infer it from`);
      category = n <= VSTAR_LAST_DIRECT_ATTRIBUTES_ID ? 'direct_attributes' : 'relative_position';
    }
    if (typeof category !== 'string') throw rowError(row.loc, 'category', `expected a string, got ${describe(category)}`);
    const imageRel = stringField(row, 'image');
    const imagePath = await images.resolve(imageRel, row, 'image');
    const jsonFile = imagePath.replace(/\.[^./\\]+$/, '') + '.json';
    const ann = (opts.roi ?? true) && (await pathExists(jsonFile)) ? await readAnnotation(jsonFile, imagePath, row) : undefined;
    items.push({
      id: `vstar-${qid}`,
      benchmark: 'vstar',
      images: [{ kind: 'file', path: imagePath }],
      question: split.question,
      options: split.options,
      answer: optionLetter(answerIndex),
      category,
      roi: ann?.roi,
      meta: {
        question_id: row.value.question_id,
        text,
        image: imageRel,
        ...(ann ? { target_object: ann.targets, boxes: ann.boxes, image_size: [ann.width, ann.height] } : {}),
      },
    });
  }
  return items;
}

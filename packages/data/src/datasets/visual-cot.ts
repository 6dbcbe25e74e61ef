import * as z from 'zod';
import { LvrError } from '@lvr/core';
import { unionBox, type NormalizedBox } from '../roi/box.js';
import {
  boxListField,
  checkBoxRanges,
  checkPlaceholders,
  countOccurrences,
  extraFields,
  IMAGE_PLACEHOLDER,
  LVR_PLACEHOLDER,
  nonEmptyText,
  parseRecord,
  peekId,
  recordSchema,
  type RawRecord,
} from './fields.js';
import { ImageChecker } from './image-check.js';
import { parseJson, readTextFile, splitJsonLines, type JsonLine } from './json-source.js';
import { resolveDatasetReadOptions, type DatasetReadOptions } from './options.js';
import { PathResolver } from './path-safety.js';
import { recordError, withLocation, type RecordLocation } from './record-error.js';
import { runRecords } from './record-runner.js';
import type { Conversation, DatasetReadResult, LvrSftRecord } from './types.js';

/** Options of {@link readVisualCotJsonl}. */
export interface VisualCotReadOptions extends DatasetReadOptions {
  /**
   * Several boxes in one record: `'keep'` (default) → one box and one `<lvr>` placeholder each, in order;
   * `'union'` → their union as one box (what Visual-CoT's own LLaVA converter does).
   */
  multipleBoxes?: 'keep' | 'union';
}

const CORE_KEYS = ['question', 'answer', 'image', 'bboxs'] as const;
const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/** The gpt turn in the LVR SFT format: one `<lvr>` line per box, then `<answer> … </answer>`. */
function gptValue(boxCount: number, answer: string): string {
  return `${`${LVR_PLACEHOLDER}\n`.repeat(boxCount)}<answer> ${answer} </answer>`;
}

const pixels = z.number({ error: 'expected a positive number of pixels' }).gt(0, { error: 'expected a positive number of pixels' });

/** The fields of a Visual-CoT metadata object, for one box tolerance (cached: a reader uses one). */
const visualCotSchemas = new Map<number, ReturnType<typeof buildVisualCotSchema>>();

function buildVisualCotSchema(tolerance: number) {
  return recordSchema({
    question: nonEmptyText,
    answer: z.union([z.string().refine((a) => a.trim().length > 0, { error: 'expected a non-empty string, got only white space' }), z.number()], {
      error: 'expected a non-empty string',
    }),
    image: nonEmptyText,
    width: pixels,
    height: pixels,
    bboxs: boxListField('expected a non-empty array of [x1, y1, x2, y2] pixel boxes')
      .refine((b) => b.length > 0, { error: 'expected a non-empty array of [x1, y1, x2, y2] pixel boxes' }),
  }).superRefine(({ width, height, bboxs }, ctx) => checkBoxRanges(bboxs, {
    x: [-tolerance * width, (1 + tolerance) * width],
    y: [-tolerance * height, (1 + tolerance) * height],
    what: `the ${width}×${height} image (tolerance ${tolerance} of its size); bboxs must be absolute pixels of the original image`,
  }, 'bboxs', ctx));
}

/** Validates one Visual-CoT metadata object and converts it to an SFT draft (image path unresolved). */
function parseVisualCotRecord(raw: unknown, loc: RecordLocation, tolerance: number, multiple: 'keep' | 'union') {
  let schema = visualCotSchemas.get(tolerance);
  if (!schema) visualCotSchemas.set(tolerance, (schema = buildVisualCotSchema(tolerance)));
  const { question, answer: rawAnswer, image, width, height, bboxs } = parseRecord(schema, raw, loc);
  const obj = raw as RawRecord;
  const answer = String(rawAnswer).trim();
  for (const [field, text] of [['question', question], ['answer', answer]] as const) {
    if (countOccurrences(text, IMAGE_PLACEHOLDER) + countOccurrences(text, LVR_PLACEHOLDER) > 0) {
      throw recordError('DATASET_FORMAT', loc, field, `must not contain ${IMAGE_PLACEHOLDER} or ${LVR_PLACEHOLDER}`);
    }
  }
  let boxes: NormalizedBox[] = bboxs.map(([x0, y0, x1, y1]) => {
    // Normalised by the ORIGINAL width / height (LVR's convention), not Visual-CoT's square padding.
    return [clamp01(x0 / width), clamp01(y0 / height), clamp01(x1 / width), clamp01(y1 / height)] as const;
  });
  if (multiple === 'union' && boxes.length > 1) {
    boxes = [unionBox(boxes)];
  }
  const conversations: Conversation[] = [
    { from: 'human', value: `${IMAGE_PLACEHOLDER}\n${question}` },
    { from: 'gpt', value: gptValue(boxes.length, answer) },
  ];
  checkPlaceholders(conversations, 1, boxes.length, loc);
  const qid = obj.question_id;
  let id = String(loc.index);
  if (typeof qid === 'string' || typeof qid === 'number') id = String(qid);
  else if (typeof obj.dataset === 'string') id = `${obj.dataset}-${loc.index}`;
  return { id, image, conversations, bboxes: boxes, extra: extraFields(obj, CORE_KEYS, loc) };
}

/**
 * Reads a Visual-CoT metadata JSONL file (one object per line:
 * `{question, answer, image, width, height, bboxs: [[x1,y1,x2,y2] in pixels], dataset, split}`,
 * ecosystem.md §1.5) into {@link LvrSftRecord}s in the LVR stage-1 format:
 * human `"<image>\n{question}"`, gpt `"<lvr>\n<answer> {answer} </answer>"` (one `<lvr>` line per kept box),
 * boxes normalised by the ORIGINAL width / height and clamped to [0, 1] — never by Visual-CoT's square
 * padding. A coordinate more than `boxTolerance` of the image size outside the image is an error.
 * Blank lines are ignored; a malformed line is a per-record error (skippable with `onInvalid: 'skip'`).
 * `width`, `height`, `dataset`, `split` and any other fields go to `extra`; the id is `question_id`, else
 * `{dataset}-{index}`, else the index.
 *
 * @example
 * const { records } = await readVisualCotJsonl('viscot/vsr_cot_train.jsonl', { imageFolder: 'images/vsr' });
 * records[0].bboxes[0]; // e.g. [0.0538, 0.5935, 0.9505, 0.9613] for a 640×640 image
 */
export async function readVisualCotJsonl(
  jsonlPath: string,
  options: VisualCotReadOptions,
): Promise<DatasetReadResult<LvrSftRecord>> {
  const opts = resolveDatasetReadOptions(options);
  const multiple = options.multipleBoxes ?? 'keep';
  if (multiple !== 'keep' && multiple !== 'union') {
    throw new LvrError('INVALID_ARGUMENT', `readVisualCotJsonl: options.multipleBoxes must be 'keep' or 'union', got ${String(multiple)}`);
  }
  const resolver = await PathResolver.create(opts.imageFolder);
  const checker = new ImageChecker(opts.checkImages, opts.imageDecode);
  const lines = splitJsonLines(await readTextFile(jsonlPath));
  return runRecords(
    jsonlPath,
    lines,
    opts,
    async ({ index, line, text }: JsonLine): Promise<LvrSftRecord> => {
      const loc = { file: jsonlPath, index, line };
      let raw: unknown;
      try {
        raw = parseJson(text, `${jsonlPath}: line ${line}`);
      } catch (e) {
        throw recordError('DATASET_FORMAT', loc, undefined, (e as Error).message.replace(`${jsonlPath}: line ${line}: `, ''), e);
      }
      const draft = parseVisualCotRecord(raw, loc, opts.boxTolerance, multiple);
      let abs: string;
      try {
        abs = await resolver.resolve(draft.image);
        await checker.check(abs);
      } catch (e) {
        throw withLocation(e, loc, 'image');
      }
      return { index, id: draft.id, images: [abs], conversations: draft.conversations, bboxes: draft.bboxes, extra: draft.extra };
    },
    (item) => {
      try {
        return peekId(JSON.parse(item.text));
      } catch {
        return undefined;
      }
    },
  );
}

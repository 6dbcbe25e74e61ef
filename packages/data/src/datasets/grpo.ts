import { LvrError, writeJsonAtomic } from '@lvr/core';
import {
  conversationsField,
  countOccurrences,
  extraFields,
  idFields,
  IMAGE_PLACEHOLDER,
  imageField,
  imagePaths,
  LVR_PLACEHOLDER,
  parseRecord,
  peekId,
  recordId,
  recordSchema,
  type RawRecord,
} from './fields.js';
import { ImageChecker } from './image-check.js';
import { readJsonArray } from './json-source.js';
import { relativeInside } from './lvr-sft.js';
import { resolveDatasetReadOptions, type DatasetReadOptions } from './options.js';
import { PathResolver } from './path-safety.js';
import { recordError, withLocation, type RecordLocation } from './record-error.js';
import { runRecords } from './record-runner.js';
import type { DatasetReadResult, GrpoRecord } from './types.js';

const CORE_KEYS = ['id', 'image', 'conversations'] as const;
/** The reference's `replace_image_tokens` for GRPO: `<image>` and the newlines around it are deleted. */
const IMAGE_TOKEN_RE = /\n?<image>\n?/g;

/** A validated GRPO record whose image path is not resolved yet. */
interface GrpoDraft {
  readonly id: string;
  readonly image: { path: string; field: string };
  readonly question: string;
  readonly answer: string;
  readonly extra: Record<string, unknown>;
}

/** The fields of a GRPO record (the image is required). */
const grpoSchema = recordSchema({ ...idFields, image: imageField, conversations: conversationsField });

/**
 * Validates one raw GRPO record: exactly one image (a path or a one-element array), exactly two turns
 * `[human question, gpt answer]`, non-empty after `<image>` removal and with no `<image>` left by it, and no `<lvr>` placeholder (stage 2
 * has no boxes). `DATASET_FORMAT` naming file, record and field otherwise.
 */
function parseGrpoRecord(raw: unknown, loc: RecordLocation): GrpoDraft {
  const r = parseRecord(grpoSchema, raw, loc);
  const id = recordId(r, loc);
  const images = imagePaths(r.image);
  if (images.length !== 1) {
    throw recordError('DATASET_FORMAT', loc, 'image', `expected exactly one image, got ${images.length}`);
  }
  const turns = r.conversations;
  if (turns.length !== 2) {
    throw recordError('DATASET_FORMAT', loc, 'conversations', `expected exactly 2 turns [human question, gpt answer], got ${turns.length}`);
  }
  turns.forEach((t, i) => {
    if (countOccurrences(t.value, LVR_PLACEHOLDER) > 0) {
      throw recordError('DATASET_FORMAT', loc, `conversations[${i}].value`, `${LVR_PLACEHOLDER} is not allowed in GRPO data (no boxes)`);
    }
  });
  const question = (turns[0] as { value: string }).value.replace(IMAGE_TOKEN_RE, '');
  if (question.includes(IMAGE_PLACEHOLDER)) {
    // "<ima<image>ge>": one removal pass leaves a new <image>; removing until none remain could take one pass
    // per character, so such a question is rejected
    throw recordError('DATASET_FORMAT', loc, 'conversations[0].value', `removing ${IMAGE_PLACEHOLDER} leaves another ${IMAGE_PLACEHOLDER} (placeholders nested inside each other)`);
  }
  const answer = (turns[1] as { value: string }).value;
  if (question.trim().length === 0) {
    throw recordError('DATASET_FORMAT', loc, 'conversations[0].value', 'the question is empty (after removing <image>)');
  }
  if (answer.trim().length === 0) throw recordError('DATASET_FORMAT', loc, 'conversations[1].value', 'the answer is empty');
  return { id, image: images[0] as { path: string; field: string }, question, answer, extra: extraFields(raw as RawRecord, CORE_KEYS, loc) };
}

/**
 * Reads a stage-2 GRPO JSON file (lvr-reference.md §2.2): a JSON array of
 * `{ id?, image: "rel/path.jpg", conversations: [{from:'human', value: question}, {from:'gpt', value:
 * "<answer>4</answer>"}], … }`. Like the reference, `\n?<image>\n?` is removed from the question (the
 * prompt builder always puts the image first). Image paths resolve inside `options.imageFolder` (escapes →
 * `PATH_OUTSIDE_ROOT`), images are checked per `options.checkImages`, and `onInvalid: 'skip'` collects bad
 * records in `skipped`.
 *
 * @example
 * const { records } = await readGrpoDataset('data/grpo.json', { imageFolder: 'data/images' });
 * records[0].answer; // "<answer>4</answer>"
 */
export async function readGrpoDataset(jsonPath: string, options: DatasetReadOptions): Promise<DatasetReadResult<GrpoRecord>> {
  const opts = resolveDatasetReadOptions(options);
  const resolver = await PathResolver.create(opts.imageFolder);
  const checker = new ImageChecker(opts.checkImages, opts.imageDecode);
  const items = (await readJsonArray(jsonPath)).map((raw, index) => ({ index, raw }));
  return runRecords(
    jsonPath,
    items,
    opts,
    async ({ index, raw }): Promise<GrpoRecord> => {
      const loc = { file: jsonPath, index };
      const draft = parseGrpoRecord(raw, loc);
      let image: string;
      try {
        image = await resolver.resolve(draft.image.path);
        await checker.check(image);
      } catch (e) {
        throw withLocation(e, loc, draft.image.field);
      }
      return { index, id: draft.id, image, question: draft.question, answer: draft.answer, extra: draft.extra };
    },
    (item) => peekId(item.raw),
  );
}

/**
 * Writes GRPO records as a JSON file {@link readGrpoDataset} reads back to the same records: the image
 * path relative to `options.imageFolder`, the question as the human turn, the answer as the gpt turn,
 * `extra` fields kept. Records are validated with the reader's rules first (`INVALID_ARGUMENT`).
 *
 * @example
 * await writeGrpoDataset('out/grpo.json', [{ index: 0, id: 'q0', image: '/abs/out/img/0.png',
 *   question: 'How many circles?', answer: '<answer>4</answer>', extra: {} }], { imageFolder: '/abs/out' });
 */
export async function writeGrpoDataset(
  path: string,
  records: readonly GrpoRecord[],
  options: { imageFolder: string },
): Promise<void> {
  if (!Array.isArray(records as unknown)) throw new LvrError('INVALID_ARGUMENT', `writeGrpoDataset(${path}): records must be an array`);
  const json = records.map((rec, index) => {
    const loc = { file: path, index };
    for (const key of CORE_KEYS) {
      if (key in rec.extra) throw recordError('INVALID_ARGUMENT', loc, `extra.${key}`, `"${key}" is a core field and cannot be in extra`);
    }
    const obj: Record<string, unknown> = {
      id: rec.id,
      image: relativeInside(options.imageFolder, rec.image, loc, 'image'),
      conversations: [
        { from: 'human', value: rec.question },
        { from: 'gpt', value: rec.answer },
      ],
      ...rec.extra,
    };
    try {
      const back = parseGrpoRecord(obj, loc);
      if (back.question !== rec.question) {
        throw recordError('INVALID_ARGUMENT', loc, 'question', 'contains <image>, which the reader would remove; omit it');
      }
    } catch (e) {
      throw e instanceof LvrError && e.code === 'DATASET_FORMAT'
        ? new LvrError('INVALID_ARGUMENT', e.message, { cause: e, details: e.details })
        : e;
    }
    return obj;
  });
  await writeJsonAtomic(path, json);
}

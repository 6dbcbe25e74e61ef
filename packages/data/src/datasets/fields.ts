import * as z from 'zod';
import { MAX_BOXES_PER_RECORD } from '../roi/box.js';
import { checkWith, type FieldIssue } from '../schema/validate.js';
import { recordError, type RecordLocation } from './record-error.js';
import { IMAGE_PLACEHOLDER, LVR_PLACEHOLDER } from '../tokenizer/special-tokens.js';
import type { Conversation } from './types.js';

export { IMAGE_PLACEHOLDER, LVR_PLACEHOLDER };

/** A parsed JSON record object. */
export type RawRecord = Readonly<Record<string, unknown>>;

/*
 * The record fields as zod schemas. Their errors keep the readers' wording ("expected …, got …"), and
 * `parseRecord` turns the first issue into a `DATASET_FORMAT` error naming file, record and field path.
 */

/**
 * A record's known fields; it must be a JSON object. Unknown keys are stripped here, not copied (they go to
 * `extra` through {@link extraFields}, which never assigns an own `"__proto__"`).
 */
export function recordSchema<T extends z.core.$ZodLooseShape>(shape: T): z.ZodObject<T> {
  return z.object(shape, { error: 'expected a JSON object' });
}

/**
 * Parses `raw` with a record schema, or throws `DATASET_FORMAT` naming file, record and the first bad field:
 * `data/train.json: record 12 field "bboxes[0][2]": expected a finite number, got NaN`.
 *
 * @example
 * const r = parseRecord(recordSchema({ question: nonEmptyText }), raw, { file, index });
 */
export function parseRecord<S extends z.ZodType>(schema: S, raw: unknown, loc: RecordLocation): z.output<S> {
  const r = checkWith(schema, raw);
  if (r.ok) return r.value;
  const first = r.issues[0] as FieldIssue;
  throw recordError('DATASET_FORMAT', loc, first.field === '' ? undefined : first.field, first.message);
}

/** A required non-empty string. */
export const nonEmptyText = z.string({ error: 'expected a non-empty string' }).min(1, { error: 'expected a non-empty string' });

/** `id` / `question_id`: a string or a finite number when present. */
const idValue = z.union([z.string(), z.number()], { error: 'expected a string or number' }).nullish();

/** The id fields of {@link recordSchema} shapes; read with {@link recordId}. */
export const idFields = { id: idValue, question_id: idValue };

/** `id`, else `question_id`, else the record index — as a string. */
export function recordId(r: { id?: string | number | null | undefined; question_id?: string | number | null | undefined }, loc: RecordLocation): string {
  return String(r.id ?? r.question_id ?? loc.index);
}

/** Best-effort id for skip reports (never throws). */
export function peekId(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  const v = o.id ?? o.question_id;
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

const imagePath = z.string({ error: 'expected a non-empty path' }).min(1, { error: 'expected a non-empty path' });

/** `image`: a path, or a non-empty array of paths (`.nullish()` where a record may be text-only). */
export const imageField = z.union([imagePath, z.array(imagePath).min(1, { error: 'expected a path or a non-empty array of paths' })], {
  error: (iss) => (iss.input === undefined || iss.input === null ? 'expected an image path' : 'expected a path or a non-empty array of paths'),
});

/** The parsed `image` field as raw (unresolved) paths with their field names (`image` or `image[j]`). */
export function imagePaths(v: string | readonly string[] | null | undefined): { path: string; field: string }[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [{ path: v, field: 'image' }];
  return v.map((path, j) => ({ path, field: `image[${j}]` }));
}

const turn = z.object(
  {
    from: z.enum(['human', 'gpt'], { error: 'expected "human" or "gpt"' }),
    value: z.string({ error: 'expected a string' }),
  },
  { error: 'expected an object {from, value}' },
);

/**
 * `conversations`: a non-empty, even-length array of `{from, value}` turns alternating human, gpt, human,
 * gpt … (an unpaired trailing human turn would be dropped by the sequence builder, so it is rejected).
 */
export const conversationsField = z
  .array(turn, { error: 'expected a non-empty array of turns' })
  .min(1, { error: 'expected a non-empty array of turns' })
  .superRefine((turns, ctx) => {
    const wrong = turns.findIndex((t, i) => t.from !== (i % 2 === 0 ? 'human' : 'gpt'));
    if (wrong >= 0) {
      const expected = wrong % 2 === 0 ? 'human' : 'gpt';
      ctx.addIssue({ code: 'custom', path: [wrong, 'from'], message: `expected "${expected}" (turns alternate human, gpt, … starting with human), got "${turns[wrong]?.from}"` });
    } else if (turns.length % 2 !== 0) {
      ctx.addIssue({ code: 'custom', message: `the last human turn (conversations[${turns.length - 1}]) has no gpt answer` });
    }
  });

/** `[x0, y0, x1, y1]`: four finite numbers with x0 ≤ x1 and y0 ≤ y1 (the range is checked by {@link checkBoxRanges}). */
export const boxField = z
  .tuple([finite(), finite(), finite(), finite()], { error: 'expected [x0, y0, x1, y1]' })
  .superRefine((b, ctx) => {
    if (b[0] > b[2]) ctx.addIssue({ code: 'custom', message: `x0 = ${b[0]} > x1 = ${b[2]}` });
    else if (b[1] > b[3]) ctx.addIssue({ code: 'custom', message: `y0 = ${b[1]} > y1 = ${b[3]}` });
  });

function finite(): z.ZodNumber {
  return z.number({ error: 'expected a finite number' });
}

/**
 * A list of boxes: at most {@link MAX_BOXES_PER_RECORD} (counted before any box is parsed), each a valid box.
 * `what` words the list in the error of a value that is not an array.
 */
export function boxListField(what: string): z.ZodType<[number, number, number, number][]> {
  return z
    .array(z.unknown(), { error: what })
    .superRefine((list, ctx) => {
      if (list.length > MAX_BOXES_PER_RECORD) ctx.addIssue({ code: 'custom', message: `${list.length} boxes; a record may hold at most ${MAX_BOXES_PER_RECORD}` });
    })
    .pipe(z.array(boxField));
}

/** Allowed coordinate range per axis for {@link checkBoxRanges}, and how to describe a violation. */
export interface BoxRange {
  readonly x: readonly [number, number];
  readonly y: readonly [number, number];
  /** Completes "… is outside {what}". */
  readonly what: string;
}

/** Adds an issue for each coordinate of `boxes` (the field `field`) outside `range`, at most one per box. */
export function checkBoxRanges(boxes: readonly (readonly number[])[], range: BoxRange, field: string, ctx: z.RefinementCtx): void {
  boxes.forEach((b, k) => {
    const j = b.findIndex((c, axis) => {
      const [lo, hi] = axis % 2 === 0 ? range.x : range.y;
      return c < lo || c > hi;
    });
    if (j >= 0) ctx.addIssue({ code: 'custom', path: [field, k, j], message: `${b[j]} is outside ${range.what}` });
  });
}

/**
 * The range of normalised boxes: coordinates may exceed [0, 1] by at most `tolerance`; beyond that the box is
 * almost certainly in pixels and the record is rejected.
 */
export function normalizedRange(tolerance: number): BoxRange {
  return {
    x: [-tolerance, 1 + tolerance],
    y: [-tolerance, 1 + tolerance],
    what: `[0, 1] by more than the tolerance ${tolerance} (boxes must be normalised to the original image, not pixels)`,
  };
}

/** Number of non-overlapping occurrences of `needle` in `text`. */
export function countOccurrences(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

/**
 * Placeholder bookkeeping the reference leaves to a silent `zip`: `<image>` may only appear in human turns
 * and their number must equal the number of images; `<lvr>` may only appear in gpt turns and their number
 * must equal the number of boxes (an extra box or placeholder is an error, never truncated).
 */
export function checkPlaceholders(
  conversations: readonly Conversation[],
  imageCount: number,
  boxCount: number,
  loc: RecordLocation,
): void {
  let images = 0;
  let lvr = 0;
  conversations.forEach((turn, i) => {
    const m = countOccurrences(turn.value, IMAGE_PLACEHOLDER);
    if (m > 0 && turn.from !== 'human') {
      throw recordError('DATASET_FORMAT', loc, `conversations[${i}].value`, `${IMAGE_PLACEHOLDER} may only appear in human turns`);
    }
    images += m;
    const k = countOccurrences(turn.value, LVR_PLACEHOLDER);
    if (k > 0 && turn.from !== 'gpt') {
      throw recordError('DATASET_FORMAT', loc, `conversations[${i}].value`, `${LVR_PLACEHOLDER} may only appear in gpt turns`);
    }
    lvr += k;
  });
  if (images !== imageCount) {
    throw recordError('DATASET_FORMAT', loc, 'conversations', `${images} ${IMAGE_PLACEHOLDER} placeholder(s) for ${imageCount} image(s) in "image"; they must match`);
  }
  if (lvr !== boxCount) {
    throw recordError('DATASET_FORMAT', loc, 'bboxes', `${boxCount} box(es) for ${lvr} ${LVR_PLACEHOLDER} placeholder(s) in the gpt turns; they must match one to one (nothing is silently dropped)`);
  }
}

/** How deep arrays and objects may nest inside one extra field (JSON.stringify recurses once per level). */
export const MAX_EXTRA_DEPTH = 100;

/** The nesting depth of a JSON value, walked with a stack (a scalar is 0); stops counting past `limit`. */
function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * The record's remaining fields, minus `keys`. Keys are defined, never assigned, so an own `"__proto__"`
 * field stays a field and does not become the prototype. A field nested deeper than
 * {@link MAX_EXTRA_DEPTH} is rejected.
 */
export function extraFields(obj: RawRecord, keys: readonly string[], loc: RecordLocation): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (keys.includes(k)) continue;
    if (jsonDepth(v, MAX_EXTRA_DEPTH) > MAX_EXTRA_DEPTH) {
      throw recordError('DATASET_FORMAT', loc, k, `nested more than ${MAX_EXTRA_DEPTH} levels deep`);
    }
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

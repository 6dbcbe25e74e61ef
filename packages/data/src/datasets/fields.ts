import { describeValue, MAX_BOXES_PER_RECORD, type NormalizedBox } from '../roi/box.js';
import { recordError, type RecordLocation } from './record-error.js';
import { IMAGE_PLACEHOLDER, LVR_PLACEHOLDER } from '../tokenizer/special-tokens.js';
import type { Conversation } from './types.js';

export { IMAGE_PLACEHOLDER, LVR_PLACEHOLDER };

/** A parsed JSON record object. */
export type RawRecord = Readonly<Record<string, unknown>>;

/** The record must be a JSON object. */
export function expectObject(raw: unknown, loc: RecordLocation): RawRecord {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw recordError('DATASET_FORMAT', loc, undefined, `expected a JSON object, got ${describeValue(raw)}`);
  }
  return raw as RawRecord;
}

/** A required non-empty string field. */
export function expectString(obj: RawRecord, key: string, loc: RecordLocation): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.length === 0) {
    throw recordError('DATASET_FORMAT', loc, key, `expected a non-empty string, got ${describeValue(v)}`);
  }
  return v;
}

/** `id`, else `question_id`, else the record index — as a string. Present but non-scalar → error. */
export function parseId(obj: RawRecord, loc: RecordLocation): string {
  for (const key of ['id', 'question_id']) {
    const v = obj[key];
    if (v === undefined || v === null) continue;
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return String(v);
    throw recordError('DATASET_FORMAT', loc, key, `expected a string or number, got ${describeValue(v)}`);
  }
  return String(loc.index);
}

/** Best-effort id for skip reports (never throws). */
export function peekId(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  const v = o.id ?? o.question_id;
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

/**
 * The `image` field as a list of raw (unresolved) paths with their field names: a string, or a non-empty
 * array of strings. Missing / null gives `[]` (text-only record) unless `required`.
 */
export function parseImageField(
  obj: RawRecord,
  loc: RecordLocation,
  required: boolean,
): { path: string; field: string }[] {
  const v = obj.image;
  if (v === undefined || v === null) {
    if (required) throw recordError('DATASET_FORMAT', loc, 'image', 'expected an image path, got nothing (missing)');
    return [];
  }
  if (typeof v === 'string') {
    if (v.length === 0) throw recordError('DATASET_FORMAT', loc, 'image', 'expected a non-empty path, got ""');
    return [{ path: v, field: 'image' }];
  }
  if (!Array.isArray(v) || v.length === 0) {
    throw recordError('DATASET_FORMAT', loc, 'image', `expected a path or a non-empty array of paths, got ${describeValue(v)}`);
  }
  return v.map((p: unknown, j) => {
    if (typeof p !== 'string' || p.length === 0) {
      throw recordError('DATASET_FORMAT', loc, `image[${j}]`, `expected a non-empty path, got ${describeValue(p)}`);
    }
    return { path: p, field: `image[${j}]` };
  });
}

/**
 * `conversations`: a non-empty, even-length array of `{from, value}` turns alternating human, gpt, human,
 * gpt … (an unpaired trailing human turn would be dropped by the sequence builder, so it is rejected).
 */
export function parseConversations(obj: RawRecord, loc: RecordLocation): Conversation[] {
  const v = obj.conversations;
  if (!Array.isArray(v) || v.length === 0) {
    throw recordError('DATASET_FORMAT', loc, 'conversations', `expected a non-empty array of turns, got ${describeValue(v)}`);
  }
  const out = v.map((turn: unknown, i): Conversation => {
    const field = `conversations[${i}]`;
    if (typeof turn !== 'object' || turn === null || Array.isArray(turn)) {
      throw recordError('DATASET_FORMAT', loc, field, `expected an object {from, value}, got ${describeValue(turn)}`);
    }
    const { from, value } = turn as Record<string, unknown>;
    const expected = i % 2 === 0 ? 'human' : 'gpt';
    if (from !== 'human' && from !== 'gpt') {
      throw recordError('DATASET_FORMAT', loc, `${field}.from`, `expected "human" or "gpt", got ${describeValue(from)}`);
    }
    if (from !== expected) {
      throw recordError('DATASET_FORMAT', loc, `${field}.from`, `expected "${expected}" (turns alternate human, gpt, … starting with human), got "${from}"`);
    }
    if (typeof value !== 'string') {
      throw recordError('DATASET_FORMAT', loc, `${field}.value`, `expected a string, got ${describeValue(value)}`);
    }
    return { from, value };
  });
  if (out.length % 2 !== 0) {
    throw recordError('DATASET_FORMAT', loc, 'conversations', `the last human turn (conversations[${out.length - 1}]) has no gpt answer`);
  }
  return out;
}

/** Allowed coordinate range per axis for {@link parseBox}, and how to describe a violation. */
export interface BoxRange {
  readonly x: readonly [number, number];
  readonly y: readonly [number, number];
  /** Completes "… is outside {what}". */
  readonly what: string;
}

/** Validates one 4-number box: finite, each coordinate inside `range`, x0 ≤ x1, y0 ≤ y1. */
export function parseBox(v: unknown, loc: RecordLocation, field: string, range: BoxRange): [number, number, number, number] {
  if (!Array.isArray(v) || v.length !== 4) {
    throw recordError('DATASET_FORMAT', loc, field, `expected [x0, y0, x1, y1], got ${describeValue(v)}`);
  }
  for (let j = 0; j < 4; j++) {
    const c: unknown = v[j];
    if (typeof c !== 'number' || !Number.isFinite(c)) {
      throw recordError('DATASET_FORMAT', loc, `${field}[${j}]`, `expected a finite number, got ${describeValue(c)}`);
    }
    const [lo, hi] = j % 2 === 0 ? range.x : range.y;
    if (c < lo || c > hi) throw recordError('DATASET_FORMAT', loc, `${field}[${j}]`, `${c} is outside ${range.what}`);
  }
  const box = v as [number, number, number, number];
  if (box[0] > box[2]) throw recordError('DATASET_FORMAT', loc, field, `x0 = ${box[0]} > x1 = ${box[2]}`);
  if (box[1] > box[3]) throw recordError('DATASET_FORMAT', loc, field, `y0 = ${box[1]} > y1 = ${box[3]}`);
  return box;
}

/**
 * `bboxes`: an array of normalised boxes (missing → `[]`). Coordinates may exceed [0, 1] by at most
 * `tolerance`; beyond that the box is almost certainly in pixels and the record is rejected.
 */
export function parseNormalizedBoxes(obj: RawRecord, loc: RecordLocation, tolerance: number): NormalizedBox[] {
  const v = obj.bboxes;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw recordError('DATASET_FORMAT', loc, 'bboxes', `expected an array of boxes, got ${describeValue(v)}`);
  checkBoxCount(v.length, loc, 'bboxes');
  const range: BoxRange = {
    x: [-tolerance, 1 + tolerance],
    y: [-tolerance, 1 + tolerance],
    what: `[0, 1] by more than the tolerance ${tolerance} (boxes must be normalised to the original image, not pixels)`,
  };
  return v.map((b: unknown, k) => parseBox(b, loc, `bboxes[${k}]`, range));
}

/** At most {@link MAX_BOXES_PER_RECORD} boxes in `field`. */
export function checkBoxCount(count: number, loc: RecordLocation, field: string): void {
  if (count > MAX_BOXES_PER_RECORD) {
    throw recordError('DATASET_FORMAT', loc, field, `${count} boxes; a record may hold at most ${MAX_BOXES_PER_RECORD}`);
  }
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

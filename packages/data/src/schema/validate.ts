import * as z from 'zod';
import { LvrError, type LvrErrorCode } from '@lvr/core';
import { describeValue } from '../roi/box.js';

/**
 * The one bridge between zod and `LvrError`: every schema in @lvr is parsed here, so every validation error
 * names its field path (`vision_config.hidden_size`, `stages[1].steps`, `bboxes[0][2]`) and the offending
 * value in the same words. @lvr/core stays free of dependencies (docs/architecture.md), so this lives in the
 * lowest package that `@lvr/model` and `@lvr/rl` both import.
 */

/** One problem of a failed parse: the field path (`''` = the value itself) and what is wrong with it. */
export interface FieldIssue {
  readonly field: string;
  /** E.g. `must be an integer in 1..65536, got 1099511627776`. */
  readonly message: string;
}

/** A parse result: the typed value, or the issues (in schema order) and zod's own error. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly FieldIssue[]; readonly error: z.ZodError };

/** `["stages", 1, "steps"]` → `stages[1].steps`; `["bboxes", 0, 2]` → `bboxes[0][2]`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** A field path and a key below it (`lora` + `r` → `lora.r`). */
export function joinFieldPath(parent: string, key: string | number): string {
  return formatFieldPath(parent === '' ? [key] : [parent, key]);
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  number: 'a number', int: 'an integer', string: 'a string', boolean: 'true or false', object: 'an object',
  array: 'an array', tuple: 'an array', null: 'null', bigint: 'an integer', record: 'an object', map: 'an object',
};

/** House wording for zod's built-in issues that a schema did not word itself. */
function houseMessage(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type':
      return `must be ${TYPE_WORDS[iss.expected] ?? iss.expected}`;
    case 'too_big': {
      const max = Number(iss.maximum);
      if (iss.origin === 'array' || iss.origin === 'set') return `must have at most ${max} item${max === 1 ? '' : 's'}`;
      if (iss.origin === 'string') return `must be at most ${max} characters long`;
      return `must be ${iss.inclusive ? '≤' : '<'} ${max}`;
    }
    case 'too_small': {
      const min = Number(iss.minimum);
      if (iss.origin === 'array' || iss.origin === 'set') return `must have at least ${min} item${min === 1 ? '' : 's'}`;
      if (iss.origin === 'string') return min === 1 ? 'must be a non-empty string' : `must be at least ${min} characters long`;
      return `must be ${iss.inclusive ? '≥' : '>'} ${min}`;
    }
    case 'invalid_value':
      return iss.values.length === 1 ? `must be ${JSON.stringify(iss.values[0])}` : `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(' | ')}`;
    case 'unrecognized_keys':
      return 'is not a known field';
    case 'invalid_union':
      return 'has none of the allowed forms';
    default:
      return undefined;
  }
}

/** `got …` for a message: numbers as written, strings quoted, `true` / `false`, sizes of arrays. */
function describeInput(v: unknown): string {
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return 'an object';
  return describeValue(v);
}

/**
 * The branch of a failed union whose type matched the value (its issues lie below the value, not at it), so
 * that `["a.png", 3]` against `path | path[]` reports `image[1]` rather than "none of the forms"; undefined when
 * no single branch matched.
 */
function matchedBranch(iss: z.core.$ZodIssueInvalidUnion): readonly z.core.$ZodIssue[] | undefined {
  const typed = iss.errors.filter((branch) => !branch.some((e) => e.path.length === 0 && e.code === 'invalid_type'));
  return typed.length === 1 ? typed[0] : undefined;
}

function toFieldIssues(issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  const out: FieldIssue[] = [];
  const seen = new Set<string>();
  const push = (issue: FieldIssue): void => {
    // one rule can fail twice for one value (1e308 is past both z.int's safe range and the rule's max)
    const key = `${issue.field}\u0000${issue.message}`;
    if (!seen.has(key)) out.push(issue);
    seen.add(key);
  };
  const walk = (list: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]): void => {
    for (const iss of list) {
      const path = [...prefix, ...iss.path];
      const field = formatFieldPath(path);
      if (iss.code === 'unrecognized_keys') {
        for (const key of iss.keys) push({ field: joinFieldPath(field, key), message: iss.message });
        continue;
      }
      const branch = iss.code === 'invalid_union' ? matchedBranch(iss) : undefined;
      if (branch) {
        walk(branch, path);
        continue;
      }
      // A missing field has no `input`; refinements (code `custom`) word the value in their own message.
      let got = '';
      if (iss.code === 'custom') got = '';
      else if ('input' in iss) got = `, got ${describeInput(iss.input)}`;
      else if (iss.code === 'invalid_type') got = ', got nothing (missing)';
      push({ field, message: `${iss.message}${got}` });
    }
  };
  walk(issues, []);
  return out;
}

/**
 * Parses `value` with `schema` and returns the typed value or every issue with its field path. Use
 * {@link parseWith} unless the caller words the error itself (the dataset readers name file and record).
 *
 * @example
 * const r = checkWith(z.object({ r: intIn(1, 4096) }), { r: 0 });
 * if (!r.ok) r.issues[0]; // { field: 'r', message: 'must be an integer in 1..4096, got 0' }
 */
export function checkWith<S extends z.ZodType>(schema: S, value: unknown): Checked<z.output<S>> {
  const r = schema.safeParse(value, { reportInput: true, error: houseMessage });
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, issues: toFieldIssues(r.error.issues), error: r.error };
}

/** `field message` (or just `message` for the value itself). */
export function describeIssue(issue: FieldIssue): string {
  return issue.field === '' ? issue.message : `${issue.field} ${issue.message}`;
}

/** Issues shown in one error message; the rest are counted. */
const SHOWN_ISSUES = 5;

/** Where an error of {@link parseWith} points: its code, the prefix of its message, extra details. */
export interface ParseErrorContext {
  readonly code: LvrErrorCode;
  /** E.g. `runs/a/config.json` or `trainer config`. */
  readonly where: string;
  /** Added to the error's `details` (which always has `field`, the first issue's path, and `issues`). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The `LvrError` for issues of a parse: `{where}: {field} {message}; …` (at most five shown). */
export function issuesError(issues: readonly FieldIssue[], ctx: ParseErrorContext, cause?: unknown): LvrError {
  const shown = issues.slice(0, SHOWN_ISSUES).map(describeIssue);
  if (issues.length > SHOWN_ISSUES) shown.push(`and ${issues.length - SHOWN_ISSUES} more`);
  return new LvrError(ctx.code, `${ctx.where}: ${shown.join('; ')}`, {
    cause,
    details: { ...ctx.details, field: issues[0]?.field, issues: issues.map((i) => ({ ...i })) },
  });
}

/**
 * Parses `value` with `schema`, or throws an `LvrError` with `ctx.code` whose message names `ctx.where`, each
 * field path and the value found, e.g.
 * `config.json: vision_config.hidden_size must be an integer in 1..65536, got 1099511627776`.
 *
 * @example
 * const cfg = parseWith(z.strictObject({ steps: intAtLeast(1) }), input, { code: 'CONFIG_INVALID', where: 'trainer config' });
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, ctx: ParseErrorContext): z.output<S> {
  const r = checkWith(schema, value);
  if (r.ok) return r.value;
  // no cause: the message and details carry every issue, and a ZodError's message is a JSON dump the CLI would print
  throw issuesError(r.issues, ctx);
}

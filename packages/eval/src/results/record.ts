import { BENCHMARKS, type BenchmarkName, type McqItem } from '../item.js';
import { extractAnswer, type ExtractionMode } from '../extract/extract.js';
import type { ExtractedAnswer } from '../extract/default-rules.js';
import { describe, rowError, type RowLocation } from '../loaders/location.js';

/**
 * One scored item, one line of a results JSONL file. Besides the fixed fields a record may carry anything
 * JSON-serialisable the runner wants to keep (strategy, backend, latent steps, timings, …).
 */
export interface ResultRecord {
  readonly id: string;
  readonly benchmark: BenchmarkName;
  readonly category: string;
  readonly pairId: string | null;
  /** The item's extra grouping keys (CV-Bench `source`, `type`). */
  readonly groups?: Readonly<Record<string, string>> | undefined;
  /** The correct letter. */
  readonly answer: string;
  /** The raw model output (or a description of what was scored, e.g. `"likelihood"`). */
  readonly prediction: string;
  /** The extracted letter (`null` = unparsed). */
  readonly letter: string | null;
  /** The extraction rule that decided. */
  readonly rule: string;
  readonly correct: boolean;
  readonly [extra: string]: unknown;
}

/** Options of {@link makeResult}. */
export interface MakeResultOptions {
  /** Extraction mode (default `'default'`; use `'word'` for the synthetic suite's word answers). */
  mode?: ExtractionMode;
  /** An extraction done elsewhere (e.g. `pickByLikelihood`); `mode` is then ignored. */
  extracted?: ExtractedAnswer;
  /** Extra fields to store (strategy, backend, latentSteps, …); they cannot override the fixed fields. */
  extra?: Readonly<Record<string, unknown>>;
}

/**
 * Extracts the answer from `prediction` and builds the item's result record.
 *
 * @example
 * makeResult(item, '<answer> B </answer>', { extra: { strategy: 'steps', latentSteps: 8 } });
 * // { id: 'mmvp-2', benchmark: 'mmvp', category: 'mmvp', pairId: '0', answer: 'B', prediction: '<answer> B </answer>',
 * //   letter: 'B', rule: 'answer-tag', correct: true, strategy: 'steps', latentSteps: 8 }
 */
export function makeResult(item: McqItem, prediction: string, opts: MakeResultOptions = {}): ResultRecord {
  const ex = opts.extracted ?? extractAnswer(prediction, item.options, { mode: opts.mode ?? 'default' });
  return {
    ...(opts.extra ?? {}),
    id: item.id,
    benchmark: item.benchmark,
    category: item.category,
    pairId: item.pairId ?? null,
    ...(item.groups ? { groups: { ...item.groups } } : {}),
    answer: item.answer,
    prediction,
    letter: ex.letter,
    rule: ex.rule,
    correct: ex.letter === item.answer,
  };
}

/** The key that identifies an item's record across files: benchmark and id. */
export function resultKey(r: { readonly benchmark: string; readonly id: string }): string {
  return `${r.benchmark}\u0000${r.id}`;
}

/** Validates one parsed JSONL value as a {@link ResultRecord}; `DATASET_FORMAT` naming file, line and field. */
export function parseResultRecord(v: unknown, loc: RowLocation): ResultRecord {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw rowError(loc, undefined, `expected a JSON object, got ${describe(v)}`);
  const r = v as Record<string, unknown>;
  const str = (k: string, nonEmpty = true): void => {
    if (typeof r[k] !== 'string' || (nonEmpty && (r[k] as string).length === 0)) throw rowError(loc, k, `expected a ${nonEmpty ? 'non-empty ' : ''}string, got ${describe(r[k])}`);
  };
  str('id');
  if (!(BENCHMARKS as readonly unknown[]).includes(r.benchmark)) throw rowError(loc, 'benchmark', `expected one of ${BENCHMARKS.join(', ')}, got ${describe(r.benchmark)}`);
  str('category');
  str('answer');
  str('prediction', false);
  str('rule');
  if (r.pairId !== null && typeof r.pairId !== 'string') throw rowError(loc, 'pairId', `expected a string or null, got ${describe(r.pairId)}`);
  if (r.letter !== null && typeof r.letter !== 'string') throw rowError(loc, 'letter', `expected a string or null, got ${describe(r.letter)}`);
  if (typeof r.correct !== 'boolean') throw rowError(loc, 'correct', `expected true or false, got ${describe(r.correct)}`);
  if (r.groups !== undefined && (typeof r.groups !== 'object' || r.groups === null || Array.isArray(r.groups))) {
    throw rowError(loc, 'groups', `expected an object of strings, got ${describe(r.groups)}`);
  }
  return r as unknown as ResultRecord;
}

import { LvrError } from '@lvr/core';
import { resolveSceneOptions, type ResolvedSceneOptions, type SceneOptions } from '../scene.js';
import { COLOUR_NAMES, NUMBER_WORDS, type PositionAxis } from '../vocabulary.js';
import { TASK_KINDS, type TaskKind } from './task-family.js';

/** Size class of the attribute question's target. */
export type TargetSize = 'small' | 'large' | 'any';
/** What the two images of a pair differ in. */
export type PairVariant = 'colour' | 'position';
/** What a counting question counts. */
export type CountBy = 'shape' | 'colour';

/** Difficulty knobs of the task families (scene geometry knobs included). */
export interface TaskOptions extends SceneOptions {
  /**
   * Objects besides the ones a question refers to: one number for every task or a per-task record.
   * Defaults: attribute 6 (plus target and binding distractor = 8 objects, feasibility design B),
   * position 4, count 3, pair 5.
   */
  distractors?: number | Partial<Record<TaskKind, number>>;
  /** Size class of the attribute target. Default `'small'` (V*: a small object among distractors). */
  targetSize?: TargetSize;
  /** Add a same-shape, other-size, other-colour object to attribute scenes (forces binding). Default true. */
  bindingDistractor?: boolean;
  /** Options per attribute question (2..8 colour words). Default 4. */
  attributeOptions?: number;
  /** Inclusive range of counts (within 0..10). Default `[1, 5]`. */
  countRange?: readonly [number, number];
  /** Options per counting question. Default 4 (or the number of counts in range, if fewer). */
  countOptions?: number;
  /** What counting questions count. Default both, chosen at random per item. */
  countBy?: readonly CountBy[];
  /** Axes of relative-position questions. Default both. */
  positionAxes?: readonly PositionAxis[];
  /**
   * Minimum distance between the two referenced objects' centres along the asked axis, as a fraction of
   * the image size, so "left or right" is never ambiguous. Default 0.12.
   */
  minSeparation?: number;
  /** What pairs may differ in. Default both. */
  pairVariants?: readonly PairVariant[];
}

/** {@link TaskOptions} resolved once with defaults (frozen). */
export interface ResolvedTaskOptions {
  readonly scene: ResolvedSceneOptions;
  readonly distractors: Readonly<Record<TaskKind, number>>;
  readonly targetSize: TargetSize;
  readonly bindingDistractor: boolean;
  readonly attributeOptions: number;
  readonly countRange: readonly [number, number];
  readonly countOptions: number;
  readonly countBy: readonly CountBy[];
  readonly positionAxes: readonly PositionAxis[];
  readonly minSeparation: number;
  readonly pairVariants: readonly PairVariant[];
}

const DEFAULT_DISTRACTORS: Readonly<Record<TaskKind, number>> = { attribute: 6, position: 4, count: 3, pair: 5 };

function bad(field: string, message: string): LvrError {
  return new LvrError('CONFIG_INVALID', `synthetic: ${field} ${message}`, { details: { field } });
}

function nonEmptySubset<T extends string>(field: string, v: readonly T[] | undefined, all: readonly T[]): readonly T[] {
  const list = v ?? all;
  if (!Array.isArray(list) || list.length === 0 || !list.every((x) => all.includes(x))) {
    throw bad(field, `must be a non-empty list of ${all.map((a) => `'${a}'`).join(' | ')}, got ${JSON.stringify(v)}`);
  }
  return Object.freeze([...new Set(list)]);
}

/**
 * Fills defaults, validates and freezes the task knobs.
 *
 * @example
 * resolveTaskOptions({ distractors: 2 }).distractors.count; // 2
 */
export function resolveTaskOptions(opts: TaskOptions = {}): ResolvedTaskOptions {
  const scene = resolveSceneOptions(opts);
  const distractors: Record<TaskKind, number> = { ...DEFAULT_DISTRACTORS };
  if (typeof opts.distractors === 'number') for (const k of TASK_KINDS) distractors[k] = opts.distractors;
  else if (opts.distractors !== undefined) Object.assign(distractors, opts.distractors);
  for (const k of TASK_KINDS) {
    const d = distractors[k];
    if (!Number.isInteger(d) || d < 0 || d > 64) throw bad(`distractors.${k}`, `must be an integer in 0..64, got ${d}`);
  }
  const targetSize = opts.targetSize ?? 'small';
  if (!['small', 'large', 'any'].includes(targetSize)) throw bad('targetSize', `must be 'small' | 'large' | 'any', got ${targetSize}`);
  const attributeOptions = opts.attributeOptions ?? 4;
  if (!Number.isInteger(attributeOptions) || attributeOptions < 2 || attributeOptions > COLOUR_NAMES.length) {
    throw bad('attributeOptions', `must be an integer in 2..${COLOUR_NAMES.length}, got ${opts.attributeOptions}`);
  }
  const countRange = opts.countRange ?? [1, 5];
  const [cLo, cHi] = countRange;
  if (countRange.length !== 2 || !Number.isInteger(cLo) || !Number.isInteger(cHi) || cLo < 0 || cHi > NUMBER_WORDS.length - 1 || cLo >= cHi) {
    throw bad('countRange', `must be [lo, hi] with integers 0 ≤ lo < hi ≤ ${NUMBER_WORDS.length - 1}, got ${JSON.stringify(opts.countRange)}`);
  }
  const countOptions = opts.countOptions ?? Math.min(4, cHi - cLo + 1);
  if (!Number.isInteger(countOptions) || countOptions < 2 || countOptions > cHi - cLo + 1) {
    throw bad('countOptions', `must be an integer in 2..${cHi - cLo + 1} (the counts in countRange), got ${opts.countOptions}`);
  }
  const minSeparation = opts.minSeparation ?? 0.12;
  if (!Number.isFinite(minSeparation) || minSeparation < 0 || minSeparation >= 0.9) {
    throw bad('minSeparation', `must be in [0, 0.9), got ${opts.minSeparation}`);
  }
  return Object.freeze({
    scene,
    distractors: Object.freeze(distractors),
    targetSize,
    bindingDistractor: opts.bindingDistractor ?? true,
    attributeOptions,
    countRange: Object.freeze([cLo, cHi]) as readonly [number, number],
    countOptions,
    countBy: nonEmptySubset('countBy', opts.countBy, ['shape', 'colour'] as const),
    positionAxes: nonEmptySubset('positionAxes', opts.positionAxes, ['horizontal', 'vertical'] as const),
    minSeparation,
    pairVariants: nonEmptySubset('pairVariants', opts.pairVariants, ['colour', 'position'] as const),
  });
}

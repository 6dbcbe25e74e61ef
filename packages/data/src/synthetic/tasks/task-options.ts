import { LvrError } from '@lvr/core';
import { resolveSceneOptions, type ResolvedSceneOptions, type SceneOptions } from '../scene.js';
import { COLOUR_NAMES, NUMBER_WORDS, type PositionAxis } from '../vocabulary.js';
import { TASK_KINDS, type PerceptionTaskKind } from './task-family.js';

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
  distractors?: number | Partial<Record<PerceptionTaskKind, number>>;
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
  /**
   * Chase: hops k per item (1..4), one number or a list; suite items cycle through the list (draw d gets
   * `hops[d % hops.length]`), so every k gets the same share. Default `[1, 2, 3, 4]`.
   */
  hops?: number | readonly number[];
  /** Chase: per-image random colour → direction legend stated in the question (the harder variant). Default false. */
  legend?: boolean;
  /** Majority: inclusive range of the number of objects (within 4..16, one per grid cell). Default `[10, 16]`. */
  majorityObjects?: readonly [number, number];
}

/** {@link TaskOptions} resolved once with defaults (frozen). */
export interface ResolvedTaskOptions {
  readonly scene: ResolvedSceneOptions;
  readonly distractors: Readonly<Record<PerceptionTaskKind, number>>;
  readonly targetSize: TargetSize;
  readonly bindingDistractor: boolean;
  readonly attributeOptions: number;
  readonly countRange: readonly [number, number];
  readonly countOptions: number;
  readonly countBy: readonly CountBy[];
  readonly positionAxes: readonly PositionAxis[];
  readonly minSeparation: number;
  readonly pairVariants: readonly PairVariant[];
  readonly hops: readonly number[];
  readonly legend: boolean;
  readonly majorityObjects: readonly [number, number];
}

/** Largest number of hops of a chase item. */
export const MAX_HOPS = 4;

const DEFAULT_DISTRACTORS: Readonly<Record<PerceptionTaskKind, number>> = { attribute: 6, position: 4, count: 3, pair: 5 };

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
  const distractors: Record<PerceptionTaskKind, number> = { ...DEFAULT_DISTRACTORS };
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
  const hopList = typeof opts.hops === 'number' ? [opts.hops] : opts.hops ?? [1, 2, 3, 4];
  if (!Array.isArray(hopList) || hopList.length === 0 || !hopList.every((k) => Number.isInteger(k) && k >= 1 && k <= MAX_HOPS)) {
    throw bad('hops', `must be an integer in 1..${MAX_HOPS} or a non-empty list of them, got ${JSON.stringify(opts.hops)}`);
  }
  if (opts.legend !== undefined && typeof opts.legend !== 'boolean') throw bad('legend', `must be a boolean, got ${JSON.stringify(opts.legend)}`);
  const majorityObjects = opts.majorityObjects ?? [10, 16];
  const [mLo, mHi] = majorityObjects;
  if (!Array.isArray(majorityObjects) || majorityObjects.length !== 2 || !Number.isInteger(mLo) || !Number.isInteger(mHi) || mLo < 4 || mHi > 16 || mLo > mHi) {
    throw bad('majorityObjects', `must be [lo, hi] with integers 4 ≤ lo ≤ hi ≤ 16, got ${JSON.stringify(opts.majorityObjects)}`);
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
    hops: Object.freeze([...hopList]),
    legend: opts.legend ?? false,
    majorityObjects: Object.freeze([mLo, mHi]) as readonly [number, number],
  });
}

import type { Rng } from '@lvr/core';
import type { NormalizedBox } from '../../roi/box.js';
import type { Scene } from '../scene.js';
import type { ResolvedTaskOptions } from './task-options.js';

/** The task families of the suite, mirroring the benchmarks we target (V*, counting, MMVP). */
export const TASK_KINDS = ['attribute', 'position', 'count', 'pair'] as const;
/** One of {@link TASK_KINDS}. */
export type TaskKind = (typeof TASK_KINDS)[number];

/** One generated question about one scene, before ids and file names are assigned. */
export interface TaskItem {
  readonly scene: Scene;
  /** The question without options, e.g. `"what colour is the small circle ?"`. */
  readonly question: string;
  /** Candidate answer words in display order (letters A, B, … follow this order). */
  readonly options: readonly string[];
  /** Index of the correct word in `options`. */
  readonly answerIndex: number;
  /** Box of the object(s) the answer depends on (normalised `[x0, y0, x1, y1]`). */
  readonly roi: NormalizedBox;
  /** Finer benchmark-style category, e.g. `"direct_attributes"`, `"relative_position"`, `"pair_colour"`. */
  readonly category: string;
}

/**
 * A task family: draws one question (or, for MMVP-like pairs, two questions sharing a `pairId`) from a
 * seeded `Rng`. Implementations are pure functions of the `Rng` state and the resolved options.
 *
 * @example
 * const items = attributeTask.draw(new Rng(3), resolveTaskOptions());
 * items[0].question; // "what colour is the small triangle ?"
 */
export interface TaskFamily {
  readonly kind: TaskKind;
  /** How many items one `draw` returns (2 for image pairs). */
  readonly itemsPerDraw: 1 | 2;
  /** Number of options shown per item. */
  optionCount(o: ResolvedTaskOptions): number;
  /**
   * Chance level of an open (option-free) answer: the accuracy of guessing uniformly among the answer words
   * an item of this family can have (averaged over the family's variants).
   */
  openChance(o: ResolvedTaskOptions): number;
  /** Draws `itemsPerDraw` items. Throws `CONFIG_INVALID` when the knobs make the task impossible. */
  draw(rng: Rng, o: ResolvedTaskOptions): TaskItem[];
}

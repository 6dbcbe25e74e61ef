import type { Rng } from '@lvr/core';
import type { NormalizedBox } from '../../roi/box.js';
import type { Scene } from '../scene.js';
import type { ResolvedTaskOptions } from './task-options.js';

/** The perception task families of the suite, mirroring the benchmarks we target (V*, counting, MMVP); the default. */
export const TASK_KINDS = ['attribute', 'position', 'count', 'pair'] as const;
/** One of {@link TASK_KINDS}. */
export type PerceptionTaskKind = (typeof TASK_KINDS)[number];
/** The opt-in reasoning task families (issue 11): multi-hop `chase` on a 4×4 grid and `majority` colour. */
export const REASONING_TASK_KINDS = ['chase', 'majority'] as const;
/** Every known task kind: the perception kinds (the default suite), then the reasoning kinds. */
export const ALL_TASK_KINDS = Object.freeze([...TASK_KINDS, ...REASONING_TASK_KINDS] as const);
/** One of {@link ALL_TASK_KINDS}. */
export type TaskKind = (typeof ALL_TASK_KINDS)[number];

/** The counterfactual chain of a chase item, for the Token Replacement Test (another start, another answer). */
export interface TaskCounterfactual {
  /** Boxes of the counterfactual chain's hop cells, in hop order. */
  readonly rois: readonly NormalizedBox[];
  /** The shape at the end of the counterfactual chain (differs from the item's answer). */
  readonly answerWord: string;
}

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
  /**
   * Reasoning tasks: the ordered ROI boxes that all belong to the one `<lvr>` latent span (chase: the hop cells
   * in hop order; majority: the majority colour's objects in raster order). Absent for the perception tasks.
   */
  readonly rois?: readonly NormalizedBox[] | undefined;
  /** Chase: the number of hops k. */
  readonly hops?: number | undefined;
  /** Chase: another start cell's chain that ends on a different shape. */
  readonly counterfactual?: TaskCounterfactual | undefined;
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
  /**
   * Draws `itemsPerDraw` items. Throws `CONFIG_INVALID` when the knobs make the task impossible. `drawIndex`
   * (the draw's index within its split) lets a family spread items evenly over a knob list (chase's hops).
   */
  draw(rng: Rng, o: ResolvedTaskOptions, drawIndex?: number): TaskItem[];
}

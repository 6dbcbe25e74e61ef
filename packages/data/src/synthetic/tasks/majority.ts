import { LvrError, type Rng } from '@lvr/core';
import type { NormalizedBox } from '../../roi/box.js';
import { placeGridObjects, resolveGridOptions, type GridOptions } from '../grid-scene.js';
import { unionBox, type ObjectSpec, type Scene } from '../scene.js';
import { COLOUR_NAMES, SHAPES, type ColourName } from '../vocabulary.js';
import type { TaskFamily, TaskItem } from './task-family.js';
import type { ResolvedTaskOptions } from './task-options.js';

/** The majority question (one template). */
export const MAJORITY_QUESTION = 'which colour is most common ?';
/** Colour options per majority item (every object has one of them). */
export const MAJORITY_OPTIONS = 4;

/** Knobs of {@link drawMajority}. */
export interface MajorityOptions {
  /** Inclusive range of the number of objects (4..16). Default `[10, 16]`. */
  objects?: readonly [number, number];
  /** Board geometry (one object per occupied cell). Default the 64-px 4×4 board. */
  grid?: GridOptions;
}

/** One majority item. */
export interface MajorityItem {
  /** Only the occupied cells' objects, in raster order. */
  readonly scene: Scene;
  /** The occupied cell of each object of `scene.objects` (ascending). */
  readonly cells: readonly number[];
  readonly question: string;
  /** The 4 colours the objects are drawn from, in `COLOUR_NAMES` order. */
  readonly options: readonly ColourName[];
  readonly answerIndex: number;
  readonly answerWord: ColourName;
  /** Objects per option colour (same order as `options`); the answer's count is the unique maximum. */
  readonly counts: readonly number[];
  /** Boxes of the majority colour's objects, in raster order. */
  readonly rois: readonly NormalizedBox[];
}

const MAX_ATTEMPTS = 200;

/**
 * Draws one majority item: n objects (uniform in `objects`) in n random cells of the grid, all large, of random
 * shapes; 4 colours drawn from the 8, each object's colour uniform among them, redrawn until one colour is the
 * unique most common (bounded; the answer is uniform over the options by symmetry). Deterministic per `rng` state.
 *
 * @example
 * const item = drawMajority(new Rng(2));
 * item.options[item.answerIndex] === item.answerWord; // true
 */
export function drawMajority(rng: Rng, opts: MajorityOptions = {}): MajorityItem {
  const grid = resolveGridOptions(opts.grid ?? {});
  const nCells = grid.gridCells * grid.gridCells;
  const [lo, hi] = opts.objects ?? [10, 16];
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < MAJORITY_OPTIONS || hi > nCells || lo > hi) {
    throw new LvrError('CONFIG_INVALID', `majority: objects must be [lo, hi] with ${MAJORITY_OPTIONS} ≤ lo ≤ hi ≤ ${nCells}, got [${lo}, ${hi}]`, {
      details: { field: 'majorityObjects' },
    });
  }
  const n = rng.intBetween(lo, hi);
  const cells = rng.shuffle(Array.from({ length: nCells }, (_, i) => i)).slice(0, n).sort((a, b) => a - b);
  const palette = rng.shuffle([...COLOUR_NAMES]).slice(0, MAJORITY_OPTIONS);
  const options = COLOUR_NAMES.filter((c) => palette.includes(c));
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const colourOf = cells.map(() => rng.int(MAJORITY_OPTIONS));
    const counts = options.map((_, j) => colourOf.filter((c) => c === j).length);
    const top = Math.max(...counts);
    if (counts.filter((c) => c === top).length !== 1) continue;
    const answerIndex = counts.indexOf(top);
    const specs: ObjectSpec[] = [];
    for (let c = 0, k = 0; c < nCells; c++) {
      const occupied = cells[k] === c;
      specs.push({ shape: rng.pick(SHAPES), colour: occupied ? options[colourOf[k]!]! : options[0]!, size: 'large' });
      if (occupied) k++;
    }
    const full = placeGridObjects(rng, specs, grid);
    const scene: Scene = { ...full, objects: cells.map((c) => full.objects[c]!) };
    return {
      scene,
      cells,
      question: MAJORITY_QUESTION,
      options,
      answerIndex,
      answerWord: options[answerIndex]!,
      counts,
      rois: scene.objects.filter((_, k) => colourOf[k] === answerIndex).map((o) => o.box),
    };
  }
  throw new LvrError('CONFIG_INVALID', `majority: no unique majority colour in ${MAX_ATTEMPTS} draws of ${n} objects`, {
    details: { field: 'majorityObjects' },
  });
}

/**
 * The majority task family: `drawMajority` with the suite's `majorityObjects`; category `majority_colour`,
 * `roi` = the union of the majority objects' boxes, `rois` = those boxes in raster order.
 */
export const majorityTask: TaskFamily = {
  kind: 'majority',
  itemsPerDraw: 1,
  optionCount: () => MAJORITY_OPTIONS,
  openChance: () => 1 / COLOUR_NAMES.length,
  draw(rng: Rng, o: ResolvedTaskOptions): TaskItem[] {
    const item = drawMajority(rng, { objects: o.majorityObjects, grid: { imageSize: o.scene.imageSize } });
    return [
      {
        scene: item.scene,
        question: item.question,
        options: item.options,
        answerIndex: item.answerIndex,
        roi: unionBox(item.rois),
        category: 'majority_colour',
        rois: item.rois,
      },
    ];
  },
};

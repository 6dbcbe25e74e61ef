import { LvrError, type Rng } from '@lvr/core';
import type { NormalizedBox } from '../../roi/box.js';
import { gridCellBox, placeGridObjects, resolveGridOptions, type GridOptions } from '../grid-scene.js';
import { unionBox, type ObjectSpec, type Scene } from '../scene.js';
import { COLOUR_NAMES, DIRECTIONS, NUMBER_WORDS, SHAPES, type ColourName, type Direction, type Shape } from '../vocabulary.js';
import type { TaskFamily, TaskItem } from './task-family.js';
import { MAX_HOPS, type ResolvedTaskOptions } from './task-options.js';

/** Cells per axis of the chase board (16 cells = the 16 (direction, shape) pairs). */
export const CHASE_GRID = 4;
/** Cells of the chase board. */
export const CHASE_CELLS = CHASE_GRID * CHASE_GRID;
/** The fixed colour of each direction without a legend (index = direction id): red up, green down, blue left, yellow right. */
export const DIRECTION_COLOURS: readonly ColourName[] = Object.freeze(['red', 'green', 'blue', 'yellow']);

/** One cell of a chase board. */
export interface ChaseCell {
  readonly direction: Direction;
  readonly shape: Shape;
  readonly colour: ColourName;
  readonly marked: boolean;
}

/** Knobs of {@link drawChase}. */
export interface ChaseOptions {
  /** Hops k, 1..4. */
  hops: number;
  /** Per-image random colour → direction legend stated in the question. Default false. */
  legend?: boolean;
  /** Board geometry (gridCells must stay 4). Default the 64-px, 16-px-cell board. */
  grid?: GridOptions;
}

/** The chain of another start cell, ending on a different shape (for counterfactual latent injection). */
export interface ChaseCounterfactual {
  readonly start: number;
  /** Cell indices of hops 1..k. */
  readonly chain: readonly number[];
  /** `gridCellBox` of the chain cells, in hop order. */
  readonly rois: readonly NormalizedBox[];
  readonly answerWord: Shape;
}

/** One chase item: the board, the question and everything the latent studies need. */
export interface ChaseItem {
  readonly scene: Scene;
  /** The 16 cells in raster order (index = row · 4 + col = the order of the image's merged visual tokens). */
  readonly cells: readonly ChaseCell[];
  /** The marked (start) cell. */
  readonly start: number;
  readonly hops: number;
  /** Cell indices of hops 1..k (may revisit a cell). */
  readonly chain: readonly number[];
  /** The shape of the hop-k cell. */
  readonly answerWord: Shape;
  readonly question: string;
  /** The four shapes in the fixed order of `SHAPES`. */
  readonly options: readonly Shape[];
  readonly answerIndex: number;
  /** `gridCellBox` of the chain cells, in hop order (latent t's target = the hop-t cell's visual token). */
  readonly rois: readonly NormalizedBox[];
  readonly counterfactual: ChaseCounterfactual;
  /**
   * Perception-free symbol per cell: `direction · 4 + shapeIndex` (0..15) without a legend,
   * `colourIndex · 4 + shapeIndex` (0..31, colour index in `COLOUR_NAMES`) with one. The start is `markedCell`.
   */
  readonly symbols: Int32Array;
  readonly markedCell: number;
  /** The colour of each direction (index = direction id); `DIRECTION_COLOURS` without a legend. */
  readonly directionColours: readonly ColourName[];
  readonly legend: boolean;
}

/** The cell one arrow step from `cell` in `direction` on an `n × n` torus. */
export function chaseStep(cell: number, direction: Direction, n = CHASE_GRID): number {
  const row = Math.floor(cell / n);
  const col = cell % n;
  switch (direction) {
    case 'up':
      return ((row + n - 1) % n) * n + col;
    case 'down':
      return ((row + 1) % n) * n + col;
    case 'left':
      return row * n + ((col + n - 1) % n);
    case 'right':
      return row * n + ((col + 1) % n);
  }
}

/** The cells of hops 1..k from `start`, following each visited cell's arrow. */
export function followChain(directions: readonly Direction[], start: number, hops: number, n = CHASE_GRID): number[] {
  const chain: number[] = [];
  let at = start;
  for (let t = 0; t < hops; t++) {
    at = chaseStep(at, directions[at]!, n);
    chain.push(at);
  }
  return chain;
}

/** `"from the marked object follow three arrows . what shape ?"`, with the legend prefix when given. */
export function chaseQuestion(hops: number, legend?: readonly { colour: ColourName; direction: Direction }[]): string {
  const follow = `from the marked object follow ${NUMBER_WORDS[hops]} ${hops === 1 ? 'arrow' : 'arrows'} . what shape ?`;
  if (legend === undefined) return follow;
  return `legend : ${legend.map((e) => `${e.colour} ${e.direction}`).join(' , ')} . ${follow}`;
}

const MAX_ATTEMPTS = 64;

/**
 * Draws one chase-k item: a random permutation of the 16 (direction, shape) pairs over the 4×4 board, a
 * uniformly random marked start cell, the k-hop chain (arrows wrap around the torus), a counterfactual start
 * (uniform among the cells whose chain ends on another shape; the board is redrawn in the rare case there is
 * none), then the scene (`placeGridObjects`, all objects large, the start marked). Legend variant: 4 of the 8
 * colours are drawn and mapped to the directions per image; the question lists the pairs in a random order.
 * Deterministic given the `rng` state; the answer shape is uniform over the 4 shapes.
 *
 * @example
 * const item = drawChase(new Rng(1), { hops: 3 });
 * item.question; // "from the marked object follow three arrows . what shape ?"
 * item.rois.length; // 3
 */
export function drawChase(rng: Rng, opts: ChaseOptions): ChaseItem {
  const { hops } = opts;
  if (!Number.isInteger(hops) || hops < 1 || hops > MAX_HOPS) {
    throw new LvrError('CONFIG_INVALID', `chase: hops must be an integer in 1..${MAX_HOPS}, got ${hops}`, { details: { field: 'hops' } });
  }
  const grid = resolveGridOptions(opts.grid ?? {});
  if (grid.gridCells !== CHASE_GRID) {
    throw new LvrError('CONFIG_INVALID', `chase: the board has ${CHASE_GRID} cells per axis, got gridCells ${grid.gridCells}`, {
      details: { field: 'gridCells' },
    });
  }
  const legend = opts.legend ?? false;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const pairs = rng.shuffle(Array.from({ length: CHASE_CELLS }, (_, i) => i)); // pair p = (direction p>>2, shape p&3)
    const directions = pairs.map((p) => DIRECTIONS[p >> 2]!);
    const shapes = pairs.map((p) => SHAPES[p & 3]!);
    const directionColours = legend ? rng.shuffle([...COLOUR_NAMES]).slice(0, DIRECTIONS.length) : [...DIRECTION_COLOURS];
    const legendOrder = legend ? rng.shuffle(DIRECTIONS.map((_, d) => d)) : undefined;
    const start = rng.int(CHASE_CELLS);
    const chain = followChain(directions, start, hops);
    const answerWord = shapes[chain[hops - 1]!]!;
    const candidates: { start: number; chain: number[] }[] = [];
    for (let c = 0; c < CHASE_CELLS; c++) {
      if (c === start) continue;
      const cf = followChain(directions, c, hops);
      if (shapes[cf[hops - 1]!] !== answerWord) candidates.push({ start: c, chain: cf });
    }
    if (candidates.length === 0) continue;
    const cf = rng.pick(candidates);
    const cells: ChaseCell[] = pairs.map((_, i) => ({
      direction: directions[i]!,
      shape: shapes[i]!,
      colour: directionColours[DIRECTIONS.indexOf(directions[i]!)]!,
      marked: i === start,
    }));
    const specs: ObjectSpec[] = cells.map((c) => ({ shape: c.shape, colour: c.colour, size: 'large', ...(c.marked ? { marked: true } : {}) }));
    const scene = placeGridObjects(rng, specs, grid);
    const symbols = Int32Array.from(cells, (c) =>
      (legend ? COLOUR_NAMES.indexOf(c.colour) : DIRECTIONS.indexOf(c.direction)) * 4 + SHAPES.indexOf(c.shape),
    );
    const question = chaseQuestion(
      hops,
      legendOrder?.map((d) => ({ colour: directionColours[d]!, direction: DIRECTIONS[d]! })),
    );
    const box = (c: number): NormalizedBox => gridCellBox(c, CHASE_GRID);
    return {
      scene,
      cells,
      start,
      hops,
      chain,
      answerWord,
      question,
      options: SHAPES,
      answerIndex: SHAPES.indexOf(answerWord),
      rois: chain.map(box),
      counterfactual: { start: cf.start, chain: cf.chain, rois: cf.chain.map(box), answerWord: shapes[cf.chain[hops - 1]!]! },
      symbols,
      markedCell: start,
      directionColours,
      legend,
    };
  }
  throw new LvrError('CONFIG_INVALID', `chase: no board with a counterfactual chain in ${MAX_ATTEMPTS} draws (hops ${hops})`, {
    details: { field: 'hops' },
  });
}

/**
 * The chase-k task family: `drawChase` with the suite's knobs. Draw `d` of a split gets
 * `hops[d % hops.length]` (every k the same share); category `chase_k{k}` (`chase_legend_k{k}` with a legend);
 * `roi` = the union of the hop cells, `rois` = the hop cells in order.
 */
export const chaseTask: TaskFamily = {
  kind: 'chase',
  itemsPerDraw: 1,
  optionCount: () => SHAPES.length,
  openChance: () => 1 / SHAPES.length,
  draw(rng: Rng, o: ResolvedTaskOptions, drawIndex?: number): TaskItem[] {
    const hops = drawIndex === undefined ? rng.pick(o.hops) : o.hops[drawIndex % o.hops.length]!;
    const item = drawChase(rng, { hops, legend: o.legend, grid: { imageSize: o.scene.imageSize } });
    return [
      {
        scene: item.scene,
        question: item.question,
        options: item.options,
        answerIndex: item.answerIndex,
        roi: unionBox(item.rois),
        category: `chase_${item.legend ? 'legend_' : ''}k${hops}`,
        rois: item.rois,
        hops,
        counterfactual: { rois: item.counterfactual.rois, answerWord: item.counterfactual.answerWord },
      },
    ];
  },
};

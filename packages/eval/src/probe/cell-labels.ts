import { LvrError, type Rng } from '@lvr/core';
import {
  COLOUR_NAMES, SHAPES, SIZE_CLASSES, generateCaptionExample, objectCell, resolveCaptionOptions, type RgbImage,
} from '@lvr/data';

/** Scene layout of a visual-token probe set. */
export type ProbeLayout = 'grid' | 'free';

/** The attributes a probe reads from one merged visual token (indices into COLOUR_NAMES, SHAPES, SIZE_CLASSES). */
export interface CellLabel {
  /** Image index in the set. */
  readonly image: number;
  /** Token / cell index, raster order (`row · n + col`). */
  readonly cell: number;
  readonly colour: number;
  readonly shape: number;
  readonly size: number;
  readonly marked: boolean;
}

/** Images with one label per labelled cell. */
export interface ProbeSceneSet {
  readonly layout: ProbeLayout;
  readonly images: readonly RgbImage[];
  readonly labels: readonly CellLabel[];
  /** Cells per axis (= merged visual tokens per axis). */
  readonly gridCells: number;
}

/**
 * Draws `count` probe scenes. `grid`: the chase board (`placeGridObjects`: one large object per cell, colours from all
 * 8, one marked) — every cell labelled. `free`: 3–10 objects of both sizes, one marked with probability ½ — a cell is
 * labelled when exactly one object's centre lies in it (cells with none or several are skipped).
 *
 * @example
 * const set = probeScenes(new Rng(1), 300, 'grid');
 * set.labels.length; // 4800
 */
export function probeScenes(rng: Rng, count: number, layout: ProbeLayout, opts: { imageSize?: number; gridCells?: number } = {}): ProbeSceneSet {
  if (!Number.isInteger(count) || count < 1) throw new LvrError('INVALID_ARGUMENT', `probeScenes: count must be a positive integer, got ${count}`);
  if (layout !== 'grid' && layout !== 'free') throw new LvrError('INVALID_ARGUMENT', `probeScenes: layout must be grid | free, got ${String(layout)}`);
  const gridCells = opts.gridCells ?? 4;
  const caption = resolveCaptionOptions({
    imageSize: opts.imageSize ?? 64, gridCells,
    ...(layout === 'grid' ? { gridProbability: 1 } : { markProbability: 0.5 }),
  });
  const images: RgbImage[] = [];
  const labels: CellLabel[] = [];
  for (let i = 0; i < count; i++) {
    const ex = generateCaptionExample(rng, caption);
    images.push(ex.image);
    const byCell = new Map<number, (typeof ex.objects)[number][]>();
    for (const o of ex.objects) {
      const [col, row] = objectCell(o, ex.image.width, ex.image.height, gridCells);
      const cell = row * gridCells + col;
      byCell.set(cell, [...(byCell.get(cell) ?? []), o]);
    }
    for (const [cell, objs] of [...byCell].sort((a, b) => a[0] - b[0])) {
      if (objs.length !== 1) continue;
      const o = objs[0]!;
      labels.push({
        image: i, cell,
        colour: COLOUR_NAMES.indexOf(o.colour), shape: SHAPES.indexOf(o.shape), size: SIZE_CLASSES.indexOf(o.size), marked: o.marked === true,
      });
    }
  }
  return { layout, images, labels, gridCells };
}

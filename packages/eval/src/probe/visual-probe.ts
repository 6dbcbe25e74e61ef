import { LvrError, Rng, createLogger } from '@lvr/core';
import type { RgbImage } from '@lvr/data';
import { probeScenes, type CellLabel, type ProbeLayout, type ProbeSceneSet } from './cell-labels.js';
import { fitLinearProbe, probeAccuracy, probeLogits, type LinearProbeOptions } from './linear-probe.js';

const log = createLogger('lvr:probe');

/**
 * What the probe needs from a model: its merged visual tokens. `encode` returns, for the images in order, each
 * image's `gridCells²` tokens in raster order, `dim` floats each (e.g. `MiniQwenVL.encodeImages`).
 */
export interface VisualTokenEncoder {
  readonly dim: number;
  encode(images: readonly RgbImage[]): Promise<Float32Array> | Float32Array;
}

/** Probe figures of one layout (fractions of held-out cells; `null` when the fit set has a single class). */
export interface LayoutProbeResult {
  readonly colour: number;
  readonly shape: number;
  readonly size: number | null;
  /** Scenes whose highest-scoring cell under the `marked` probe is the marked object's cell (chance 1 / labelled cells). */
  readonly marked: number | null;
  /**
   * The token's own cell (raster index, `gridCells²` classes) read from its content alone. Chance is
   * 1 / gridCells². A ViT with only rotary positions (Qwen2.5-VL's) need not put position into the token's content;
   * a latent that feeds a token back as content then loses where it came from.
   */
  readonly cell: number | null;
  /** Held-out labelled cells scored. */
  readonly n: number;
  /** Labelled cells the probes were fitted on. */
  readonly nFit: number;
}

/** `lvr probe --json`: grid figures at the top level (size from free scenes: every grid object is large). */
export interface VisualProbeReport {
  readonly colour: number;
  readonly shape: number;
  readonly size: number | null;
  readonly marked: number | null;
  readonly n: number;
  readonly grid: LayoutProbeResult;
  readonly free?: LayoutProbeResult | undefined;
}

export interface VisualProbeOptions {
  /** Scenes per layout the probes are fitted on. Default 300. */
  fitScenes?: number;
  /** Other scenes per layout they are scored on. Default 200. */
  testScenes?: number;
  /** Seed of the scenes (fit: `seed`, test: `seed + 1`, free scenes `+ 2`, `+ 3`). Default 0. */
  seed?: number;
  /** Also probe free scenes (both sizes). Default true. */
  free?: boolean;
  imageSize?: number;
  gridCells?: number;
  probe?: LinearProbeOptions;
}

async function cellFeatures(encoder: VisualTokenEncoder, set: ProbeSceneSet): Promise<Float32Array> {
  const tokens = await encoder.encode(set.images);
  const perImage = set.gridCells * set.gridCells;
  const d = encoder.dim;
  if (tokens.length !== set.images.length * perImage * d) {
    throw new LvrError('INVALID_ARGUMENT', `visual probe: the encoder returned ${tokens.length} values for ${set.images.length} images of ${perImage} tokens × ${d}; the token grid must match gridCells ${set.gridCells}`);
  }
  const out = new Float32Array(set.labels.length * d);
  set.labels.forEach((l, i) => out.set(tokens.subarray((l.image * perImage + l.cell) * d, (l.image * perImage + l.cell + 1) * d), i * d));
  return out;
}

const column = (labels: readonly CellLabel[], f: (l: CellLabel) => number): Int32Array => Int32Array.from(labels, f);

function markedHitRate(scores: Float64Array, labels: readonly CellLabel[]): number | null {
  // scores: (n × 2) logits; per image, the cell with the largest (marked − unmarked) margin.
  const best = new Map<number, { margin: number; marked: boolean }>();
  const hasMarked = new Set<number>();
  labels.forEach((l, i) => {
    if (l.marked) hasMarked.add(l.image);
    const margin = scores[i * 2 + 1]! - scores[i * 2]!;
    const cur = best.get(l.image);
    if (!cur || margin > cur.margin) best.set(l.image, { margin, marked: l.marked });
  });
  if (hasMarked.size === 0) return null;
  let hit = 0;
  for (const img of hasMarked) if (best.get(img)!.marked) hit++;
  return hit / hasMarked.size;
}

async function probeLayout(encoder: VisualTokenEncoder, layout: ProbeLayout, seed: number, o: VisualProbeOptions): Promise<LayoutProbeResult> {
  const sceneOpts = { ...(o.imageSize ? { imageSize: o.imageSize } : {}), ...(o.gridCells ? { gridCells: o.gridCells } : {}) };
  const fit = probeScenes(new Rng(seed), o.fitScenes ?? 300, layout, sceneOpts);
  const test = probeScenes(new Rng(seed + 1), o.testScenes ?? 200, layout, sceneOpts);
  const [xf, xt] = [await cellFeatures(encoder, fit), await cellFeatures(encoder, test)];
  const d = encoder.dim;
  const score = (f: (l: CellLabel) => number, k: number): number | null => {
    const yf = column(fit.labels, f);
    if (new Set(yf).size < 2) return null;
    return probeAccuracy(fitLinearProbe(xf, d, yf, k, o.probe), xt, column(test.labels, f));
  };
  const colour = score((l) => l.colour, 8);
  const shape = score((l) => l.shape, 4);
  const size = score((l) => l.size, 2);
  const cells = fit.gridCells * fit.gridCells;
  const cell = score((l) => l.cell, cells);
  const ym = column(fit.labels, (l) => (l.marked ? 1 : 0));
  const marked = new Set(ym).size < 2 ? null : markedHitRate(probeLogits(fitLinearProbe(xf, d, ym, 2, o.probe), xt), test.labels);
  const r = { colour: colour ?? 0, shape: shape ?? 0, size, marked, cell, n: test.labels.length, nFit: fit.labels.length };
  log.info(`probe ${layout}`, r);
  return r;
}

/**
 * Linear probes from each merged visual token to the colour, shape and size of the object in its cell, a
 * "which cell is marked" probe and a "which cell is this token" probe, fitted on held-out scenes and scored on
 * other scenes.
 *
 * @example
 * const report = await runVisualProbe({ dim: 64, encode: (imgs) => tokensOf(imgs) });
 * report.colour; // 0.93
 */
export async function runVisualProbe(encoder: VisualTokenEncoder, opts: VisualProbeOptions = {}): Promise<VisualProbeReport> {
  const seed = opts.seed ?? 0;
  const grid = await probeLayout(encoder, 'grid', seed, opts);
  const free = opts.free === false ? undefined : await probeLayout(encoder, 'free', seed + 2, opts);
  return { colour: grid.colour, shape: grid.shape, size: grid.size ?? free?.size ?? null, marked: grid.marked, n: grid.n, grid, ...(free ? { free } : {}) };
}

import { LvrError, Rng } from '@lvr/core';
import { normalizationTable } from '../image/normalize.js';
import { resolvePreprocessOptions, type PreprocessOptions, type ResolvedPreprocessOptions } from '../image/preprocess-options.js';
import type { RgbImage } from '../image/rgb-image.js';

/**
 * The perception-free variant of the grid tasks (issue 11): each cell is given as a *symbol* instead of pixels,
 * and the "visual token" of a cell is a fixed random vector — `symbol[s] + cell[c] (+ marker)` — in place of the
 * vision tower's output. This isolates the latent mechanism from the base's perception (the chase pilot's setup:
 * a token per cell plus a per-cell position code).
 *
 * To run through the same evaluation code as pixel items (images in, visual tokens out), a symbol board is also
 * written as a flat-colour *symbol image*: every cell filled with one colour whose red byte encodes the symbol and
 * whose green byte encodes the marker. `decodeSymbolRows` reads the symbols back exactly from the preprocessed pixel
 * rows (the normalisation is a 256-entry lookup table, inverted by nearest value), which is what the codebook
 * vision tower of `@lvr/eval` does. Hand-written because no library does this; it is a few lines and exact.
 */

/** Most symbols a board can use (8 colours × 4 shapes in the legend variant). */
export const MAX_SYMBOLS = 32;

/** Fixed random vectors of the perception-free tokens. */
export interface SymbolCodebook {
  readonly dim: number;
  readonly numSymbols: number;
  readonly numCells: number;
  /** (numSymbols × dim). */
  readonly symbols: Float32Array;
  /** (numCells × dim) position codes. */
  readonly cells: Float32Array;
  /** (dim) added to the marked cell. */
  readonly marker: Float32Array;
}

/**
 * Draws a codebook: every entry N(0, scale² / (3·dim)), so a cell token (three terms) has norm ≈ `scale`.
 *
 * @example
 * const cb = symbolCodebook({ dim: 64, seed: 0, scale: 1 });
 */
export function symbolCodebook(o: { dim: number; seed: number | string; scale: number; numSymbols?: number; numCells?: number }): SymbolCodebook {
  const numSymbols = o.numSymbols ?? MAX_SYMBOLS;
  const numCells = o.numCells ?? 16;
  if (!Number.isInteger(o.dim) || o.dim < 1 || o.dim > 65536) throw new LvrError('INVALID_ARGUMENT', `symbolCodebook: dim must be an integer in 1..65536, got ${o.dim}`);
  if (!(o.scale > 0 && Number.isFinite(o.scale))) throw new LvrError('INVALID_ARGUMENT', `symbolCodebook: scale must be a finite number > 0, got ${o.scale}`);
  if (!Number.isInteger(numSymbols) || numSymbols < 1 || numSymbols > 256) throw new LvrError('INVALID_ARGUMENT', `symbolCodebook: numSymbols must be in 1..256, got ${numSymbols}`);
  if (!Number.isInteger(numCells) || numCells < 1 || numCells > 1024) throw new LvrError('INVALID_ARGUMENT', `symbolCodebook: numCells must be in 1..1024, got ${numCells}`);
  const rng = new Rng(`symbol-codebook/${o.seed}`);
  const sd = o.scale / Math.sqrt(3 * o.dim);
  const draw = (n: number) => Float32Array.from({ length: n }, () => rng.normal() * sd);
  return Object.freeze({ dim: o.dim, numSymbols, numCells, symbols: draw(numSymbols * o.dim), cells: draw(numCells * o.dim), marker: draw(o.dim) });
}

/**
 * The visual tokens of a symbol board: row c = `symbols[board[c]] + cells[c] (+ marker if c = markedCell)`.
 *
 * @example
 * const tokens = symbolTokens(cb, item.symbols, item.markedCell); // (16 × dim)
 */
export function symbolTokens(cb: SymbolCodebook, board: ArrayLike<number>, markedCell: number): Float32Array {
  if (board.length !== cb.numCells) throw new LvrError('SHAPE_MISMATCH', `symbolTokens: ${board.length} cells for a codebook of ${cb.numCells}`);
  const d = cb.dim;
  const out = new Float32Array(board.length * d);
  for (let c = 0; c < board.length; c++) {
    const s = board[c] as number;
    if (!Number.isInteger(s) || s < 0 || s >= cb.numSymbols) throw new LvrError('INVALID_ARGUMENT', `symbolTokens: cell ${c} has symbol ${s} outside 0..${cb.numSymbols - 1}`);
    for (let j = 0; j < d; j++) {
      out[c * d + j] = (cb.symbols[s * d + j] as number) + (cb.cells[c * d + j] as number) + (c === markedCell ? (cb.marker[j] as number) : 0);
    }
  }
  return out;
}

/**
 * Adds the codebook's per-cell position code to each image's tokens, in place: row i of an image of `perImage`
 * tokens (raster order) gets `√3 · cells[i]`, a vector of norm ≈ the codebook's scale (entries are drawn for
 * three terms). The `pixels-cell` view of the grid tasks: the vision tower's tokens plus an address.
 * `tokens`: (images · perImage × dim).
 *
 * @example
 * addCellCodes(visualTokens, cb, 16);
 */
export function addCellCodes(tokens: Float32Array, cb: SymbolCodebook, perImage: number): Float32Array {
  const d = cb.dim;
  if (!Number.isInteger(perImage) || perImage < 1 || perImage > cb.numCells) {
    throw new LvrError('SHAPE_MISMATCH', `addCellCodes: ${perImage} tokens per image for a codebook of ${cb.numCells} cells`);
  }
  if (tokens.length % (perImage * d) !== 0) throw new LvrError('SHAPE_MISMATCH', `addCellCodes: ${tokens.length} values are not whole images of ${perImage} × ${d}`);
  const k = Math.sqrt(3);
  for (let r = 0; r < tokens.length / d; r++) {
    const c = r % perImage;
    for (let j = 0; j < d; j++) tokens[r * d + j] = (tokens[r * d + j] as number) + k * (cb.cells[c * d + j] as number);
  }
  return tokens;
}

const RED_BASE = 4;
const RED_STEP = 7;
const GREEN_MARKED = 220;
const GREEN_PLAIN = 30;
const BLUE = 30;

/**
 * A flat-colour image of a symbol board (`gridCells × gridCells` cells of `cellSize` px, raster order).
 *
 * @example
 * const img = renderSymbolImage(item.symbols, item.markedCell); // 64 × 64, 16-px cells
 */
export function renderSymbolImage(board: ArrayLike<number>, markedCell: number, o: { gridCells?: number; cellSize?: number } = {}): RgbImage {
  const n = o.gridCells ?? 4;
  const cell = o.cellSize ?? 16;
  if (board.length !== n * n) throw new LvrError('SHAPE_MISMATCH', `renderSymbolImage: ${board.length} symbols for a ${n}×${n} board`);
  const size = n * cell;
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const c = Math.floor(y / cell) * n + Math.floor(x / cell);
      const s = board[c] as number;
      if (!Number.isInteger(s) || s < 0 || s >= MAX_SYMBOLS) throw new LvrError('INVALID_ARGUMENT', `renderSymbolImage: cell ${c} has symbol ${s} outside 0..${MAX_SYMBOLS - 1}`);
      const k = (y * size + x) * 3;
      data[k] = RED_BASE + RED_STEP * s;
      data[k + 1] = c === markedCell ? GREEN_MARKED : GREEN_PLAIN;
      data[k + 2] = BLUE;
    }
  }
  return { width: size, height: size, data };
}

function nearestByte(lut: Float32Array, channel: number, v: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let b = 0; b < 256; b++) {
    const d = Math.abs((lut[channel * 256 + b] as number) - v);
    if (d < bestD) { bestD = d; best = b; }
  }
  return best;
}

/**
 * Reads a symbol board back from the preprocessed pixel rows of its symbol image (Qwen patch-row layout: the
 * merge² rows of one merged token are consecutive; a row is channel-major, then frame, then P×P pixels).
 * One merged token per cell, so the board has `rows / merge²` cells.
 *
 * @example
 * const { board, markedCell } = decodeSymbolRows(pre.pixelValues, pre.gridThw, preprocessOptions);
 */
export function decodeSymbolRows(
  pixelValues: Float32Array, gridThw: { t: number; h: number; w: number }, opts: PreprocessOptions | ResolvedPreprocessOptions,
): { board: Int32Array; markedCell: number } {
  const o = resolvePreprocessOptions(opts);
  const p = o.patchSize;
  const m = o.mergeSize;
  const tp = o.temporalPatchSize;
  const rows = gridThw.t * gridThw.h * gridThw.w;
  const rowWidth = 3 * tp * p * p;
  if (pixelValues.length !== rows * rowWidth) throw new LvrError('SHAPE_MISMATCH', `decodeSymbolRows: ${pixelValues.length} values for ${rows} rows of ${rowWidth}`);
  const lut = normalizationTable(o);
  const cells = rows / (m * m);
  const board = new Int32Array(cells);
  let markedCell = -1;
  for (let c = 0; c < cells; c++) {
    const off = c * m * m * rowWidth;
    const red = nearestByte(lut, 0, pixelValues[off] as number);
    const green = nearestByte(lut, 1, pixelValues[off + tp * p * p] as number);
    const s = (red - RED_BASE) / RED_STEP;
    if (!Number.isInteger(s) || s < 0 || s >= MAX_SYMBOLS) throw new LvrError('IMAGE_INVALID', `decodeSymbolRows: cell ${c} is not a symbol image cell (red byte ${red})`);
    board[c] = s;
    if (green === GREEN_MARKED) {
      if (markedCell >= 0) throw new LvrError('IMAGE_INVALID', `decodeSymbolRows: cells ${markedCell} and ${c} are both marked`);
      markedCell = c;
    } else if (green !== GREEN_PLAIN) {
      throw new LvrError('IMAGE_INVALID', `decodeSymbolRows: cell ${c} is not a symbol image cell (green byte ${green})`);
    }
  }
  return { board, markedCell };
}

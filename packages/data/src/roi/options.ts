import { LvrError } from '@lvr/core';

/**
 * Pre-merge patch grid of one image, as in Qwen2.5-VL's `image_grid_thw` row: `t` temporal slots, `h` rows
 * and `w` columns of 14-px patches. The LLM sees `t · (h / m) · (w / m)` merged tokens (m = merge size).
 */
export interface PatchGrid {
  readonly t: number;
  readonly h: number;
  readonly w: number;
}

/**
 * Which reference rule maps a box to tokens (lvr-reference.md §2.4):
 * - `'packed'` — the rule of the packed dataset every released script uses; may return an empty list.
 * - `'manual'` — the non-packed dataset's rule; always returns at least one token.
 */
export type RoiRule = 'packed' | 'manual';

/** Options of {@link bboxToTokenIndices} and friends. */
export interface RoiOptions {
  /** Mapping rule. Default `'packed'` (what the released checkpoints were trained with). */
  rule?: RoiRule;
  /** Spatial merge size m (m×m patches become one LLM token). Default 2 (Qwen2.5-VL). */
  mergeSize?: number;
  /**
   * Temporal slot whose tokens are indexed, 0 ≤ frame < grid.t; indices are offset by `frame · Hm · Wm`
   * so they address the image's full merged token list. Default 0, and required when `grid.t > 1`
   * (a video grid): picking a frame silently would hide which frame the box belongs to.
   */
  frame?: number;
}

/** {@link RoiOptions} with every default filled in; frozen. */
export interface ResolvedRoiOptions {
  readonly rule: RoiRule;
  readonly mergeSize: number;
  readonly frame: number | undefined;
}

/**
 * Fills in the defaults of {@link RoiOptions} and validates them once.
 *
 * @example
 * resolveRoiOptions({ rule: 'manual' }); // { rule: 'manual', mergeSize: 2, frame: undefined }
 */
export function resolveRoiOptions(options: RoiOptions = {}): ResolvedRoiOptions {
  const rule = options.rule ?? 'packed';
  if (rule !== 'packed' && rule !== 'manual') {
    throw new LvrError('INVALID_ARGUMENT', `roi: options.rule must be 'packed' or 'manual', got ${String(rule)}`);
  }
  const mergeSize = options.mergeSize ?? 2;
  if (!Number.isInteger(mergeSize) || mergeSize < 1) {
    throw new LvrError('INVALID_ARGUMENT', `roi: options.mergeSize must be a positive integer, got ${String(mergeSize)}`);
  }
  const frame = options.frame;
  if (frame !== undefined && (!Number.isInteger(frame) || frame < 0)) {
    throw new LvrError('INVALID_ARGUMENT', `roi: options.frame must be a non-negative integer, got ${String(frame)}`);
  }
  return Object.freeze({ rule, mergeSize, frame });
}

/** Merged (post-merger) grid of one temporal slot plus the token offset of the chosen slot. */
export interface MergedGrid {
  /** Merged rows, h / m. */
  readonly rows: number;
  /** Merged columns, w / m (the reference's `W2`). */
  readonly cols: number;
  /** Index of the slot's first token in the image's merged token list: frame · rows · cols. */
  readonly offset: number;
}

/**
 * Validates a patch grid against the resolved options and returns its merged grid.
 * Throws `INVALID_ARGUMENT` for non-integer / non-positive sizes, sizes that are not multiples of the merge
 * size (no merged token list exists for them), and a missing or out-of-range `frame` on a video grid.
 */
export function mergedGridOf(grid: PatchGrid, options: ResolvedRoiOptions): MergedGrid {
  if (typeof grid !== 'object' || grid === null) {
    throw new LvrError('INVALID_ARGUMENT', `roi: grid must be an object {t, h, w}, got ${String(grid)}`);
  }
  for (const key of ['t', 'h', 'w'] as const) {
    const v = grid[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new LvrError('INVALID_ARGUMENT', `roi: grid.${key} must be a positive integer, got ${String(v)}`);
    }
  }
  const m = options.mergeSize;
  if (grid.h % m !== 0 || grid.w % m !== 0) {
    throw new LvrError(
      'INVALID_ARGUMENT',
      `roi: grid ${grid.h}×${grid.w} is not a multiple of mergeSize ${m}; a Qwen2.5-VL processor never produces it`,
    );
  }
  const frame = options.frame ?? 0;
  if (options.frame === undefined && grid.t > 1) {
    throw new LvrError(
      'INVALID_ARGUMENT',
      `roi: grid.t = ${grid.t} (video); pass options.frame (0..${grid.t - 1}) to choose the temporal slot`,
    );
  }
  if (frame >= grid.t) {
    throw new LvrError('INVALID_ARGUMENT', `roi: options.frame = ${frame} is out of range for grid.t = ${grid.t}`);
  }
  const rows = grid.h / m;
  const cols = grid.w / m;
  return { rows, cols, offset: frame * rows * cols };
}

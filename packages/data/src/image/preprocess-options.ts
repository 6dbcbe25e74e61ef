import { LvrError } from '@lvr/core';
import { RESIZE_ENGINES } from './resize.js';
import type { ResizeEngine } from './resize.js';
import { DEFAULT_MAX_PIXELS, DEFAULT_MIN_PIXELS } from './smart-resize.js';

/** OpenAI CLIP per-channel mean (R, G, B), used by Qwen2.5-VL. */
export const CLIP_MEAN: readonly [number, number, number] = Object.freeze([0.48145466, 0.4578275, 0.40821073]);
/** OpenAI CLIP per-channel standard deviation (R, G, B), used by Qwen2.5-VL. */
export const CLIP_STD: readonly [number, number, number] = Object.freeze([0.26862954, 0.26130258, 0.27577711]);

/**
 * Image preprocessing settings (Qwen2.5-VL `Qwen2VLImageProcessor` + `qwen_vl_utils.smart_resize`). Every
 * field is optional; {@link resolvePreprocessOptions} fills the defaults. Miniature models shrink
 * `patchSize` / `mergeSize` so small images still give several tokens.
 */
export interface PreprocessOptions {
  /** ViT patch side in pixels. Default 14. */
  patchSize?: number;
  /** Spatial merge side (M×M patches → one LLM token). Default 2. */
  mergeSize?: number;
  /** Frames per temporal patch; a still image is repeated this many times. Default 2. */
  temporalPatchSize?: number;
  /**
   * Lower pixel budget for smart resize. Default 3136 (4·28·28) — an absolute pixel count that does not
   * scale with `patchSize`; pass a smaller value for miniature models. LVR stage 1 uses 100352 (128·784).
   */
  minPixels?: number;
  /** Upper pixel budget for smart resize. Default 12845056 (16384·28·28); LVR stage 1 uses 4014080. */
  maxPixels?: number;
  /** Per-channel mean subtracted after rescaling. Default {@link CLIP_MEAN}. */
  mean?: readonly number[];
  /** Per-channel standard deviation divided by after subtracting the mean. Default {@link CLIP_STD}. */
  std?: readonly number[];
  /** Multiplier turning 0..255 into 0..1. Default 1/255. */
  rescaleFactor?: number;
  /**
   * Smart-resize (bicubic) before patchifying. Default true. When false the image must already have both
   * sides divisible by `patchSize · mergeSize` (the LVR training path resizes once, upstream).
   */
  doResize?: boolean;
  /** Bicubic implementation: `'pil'` (default, bit-identical to the reference) or `'sharp'` (libvips). */
  resizeEngine?: ResizeEngine;
}

/** {@link PreprocessOptions} with every default filled in, validated and frozen. */
export interface ResolvedPreprocessOptions {
  readonly patchSize: number;
  readonly mergeSize: number;
  readonly temporalPatchSize: number;
  readonly minPixels: number;
  readonly maxPixels: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  readonly rescaleFactor: number;
  readonly doResize: boolean;
  readonly resizeEngine: ResizeEngine;
  /** `patchSize · mergeSize`: output sides of smart resize are multiples of it. */
  readonly factor: number;
}

const resolved = new WeakSet<object>();

function fail(field: string, message: string, value: unknown): never {
  throw new LvrError('CONFIG_INVALID', `preprocess options: ${field} ${message}`, { details: { field, value } });
}

function positiveInt(field: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) fail(field, `must be a positive integer, got ${String(v)}`, v);
  return v;
}

function positiveFinite(field: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(field, `must be a positive finite number, got ${String(v)}`, v);
  return v;
}

function triple(field: string, v: readonly number[], positive: boolean): readonly [number, number, number] {
  if (!Array.isArray(v) || v.length !== 3) fail(field, 'must be an array of 3 numbers (R, G, B)', v);
  for (const x of v) {
    if (typeof x !== 'number' || !Number.isFinite(x) || (positive && x <= 0)) {
      fail(field, `must hold 3 ${positive ? 'positive ' : ''}finite numbers, got [${v.join(', ')}]`, v);
    }
  }
  return Object.freeze([v[0], v[1], v[2]] as [number, number, number]);
}

/**
 * Fills defaults, validates (positive integer sizes, positive budgets with `minPixels ≤ maxPixels`, 3-channel
 * mean/std with std > 0) and freezes. Passing an already-resolved object returns it unchanged.
 *
 * @throws LvrError `CONFIG_INVALID` naming the bad field.
 * @example
 * const o = resolvePreprocessOptions({ minPixels: 100352, maxPixels: 4014080 });
 * o.factor; // 28
 */
export function resolvePreprocessOptions(
  partial: PreprocessOptions | ResolvedPreprocessOptions = {},
): ResolvedPreprocessOptions {
  if (resolved.has(partial)) return partial as ResolvedPreprocessOptions;
  const patchSize = positiveInt('patchSize', partial.patchSize ?? 14);
  const mergeSize = positiveInt('mergeSize', partial.mergeSize ?? 2);
  const temporalPatchSize = positiveInt('temporalPatchSize', partial.temporalPatchSize ?? 2);
  const minPixels = positiveFinite('minPixels', partial.minPixels ?? DEFAULT_MIN_PIXELS);
  const maxPixels = positiveFinite('maxPixels', partial.maxPixels ?? DEFAULT_MAX_PIXELS);
  if (minPixels > maxPixels) {
    fail('minPixels', `(${minPixels}) must not exceed maxPixels (${maxPixels})`, { minPixels, maxPixels });
  }
  const doResize = partial.doResize ?? true;
  if (typeof doResize !== 'boolean') fail('doResize', `must be a boolean, got ${String(doResize)}`, doResize);
  const resizeEngine = partial.resizeEngine ?? 'pil';
  if (!RESIZE_ENGINES.includes(resizeEngine)) {
    fail('resizeEngine', `must be one of ${RESIZE_ENGINES.join(', ')}, got ${String(resizeEngine)}`, resizeEngine);
  }
  const out: ResolvedPreprocessOptions = Object.freeze({
    patchSize,
    mergeSize,
    temporalPatchSize,
    minPixels,
    maxPixels,
    mean: triple('mean', partial.mean ?? CLIP_MEAN, false),
    std: triple('std', partial.std ?? CLIP_STD, true),
    rescaleFactor: positiveFinite('rescaleFactor', partial.rescaleFactor ?? 1 / 255),
    doResize,
    resizeEngine,
    factor: patchSize * mergeSize,
  });
  resolved.add(out);
  return out;
}

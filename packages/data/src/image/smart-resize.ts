import { LvrError } from '@lvr/core';

/** Qwen2.5-VL default lower pixel budget, 4 · 28 · 28 (at least 4 LLM image tokens). */
export const DEFAULT_MIN_PIXELS = 3136;
/** Qwen2.5-VL default upper pixel budget, 16384 · 28 · 28. */
export const DEFAULT_MAX_PIXELS = 12845056;
/** Images whose long side / short side exceeds this are rejected (as `qwen_vl_utils` does). */
export const MAX_ASPECT_RATIO = 200;

/** Options of {@link smartResize}. */
export interface SmartResizeOptions {
  /** Both output sides are multiples of this: patch size · merge size. Default 28 (14 · 2). */
  factor?: number;
  /** Lower bound on output height · width (upscale below it). Default {@link DEFAULT_MIN_PIXELS}. */
  minPixels?: number;
  /** Upper bound on output height · width (downscale above it). Default {@link DEFAULT_MAX_PIXELS}. */
  maxPixels?: number;
}

/**
 * Python 3 `round(x)` for a finite double: nearest integer, ties to the even neighbour, decided on the
 * exact double value (so `roundHalfEven(2.5) === 2`, `roundHalfEven(3.5) === 4`, unlike `Math.round`).
 *
 * @example
 * roundHalfEven(70 / 28); // 2 (Math.round would give 3)
 */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  // x - floor(x) is exact for doubles (Sterbenz for |x| ≥ 1, trivially below), so the tie test is exact.
  const frac = x - f;
  if (frac > 0.5) return f + 1;
  if (frac < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function checkPositive(name: string, v: number, integer: boolean): void {
  const ok = integer ? Number.isInteger(v) && v > 0 : Number.isFinite(v) && v > 0;
  if (!ok) {
    throw new LvrError(
      'INVALID_ARGUMENT',
      `smartResize: ${name} must be a positive ${integer ? 'integer' : 'finite number'}, got ${v}`,
      { details: { field: name, value: v } },
    );
  }
}

/**
 * Qwen2.5-VL `smart_resize`: the `[height, width]` an image of `height × width` pixels is resized to, such
 * that both sides are multiples of `factor`, the area lies within `[minPixels, maxPixels]` and the aspect
 * ratio is kept as well as possible.
 *
 * Steps (identical double arithmetic to the Python original):
 * 1. reject `max(h, w) / min(h, w) > 200`;
 * 2. `h̄ = max(factor, round(h / factor) · factor)`, same for `w̄`, with Python's round-half-to-even;
 * 3. if `h̄ · w̄ > maxPixels`: `β = √(h·w / maxPixels)`, `h̄ = max(factor, ⌊h / β / factor⌋ · factor)`, same
 *    for `w̄`; else if `h̄ · w̄ < minPixels`: `β = √(minPixels / (h·w))`, `h̄ = ⌈h · β / factor⌉ · factor`,
 *    same for `w̄`.
 *
 * @throws LvrError `INVALID_ARGUMENT` for non-positive / non-integer / non-finite sizes, a bad factor,
 *   `minPixels > maxPixels`, or an aspect ratio above 200.
 * @example
 * smartResize(70, 70);                                            // [56, 56]
 * smartResize(750, 1000, { minPixels: 100352, maxPixels: 4014080 }); // [756, 1008]
 */
export function smartResize(height: number, width: number, opts: SmartResizeOptions = {}): [number, number] {
  const factor = opts.factor ?? 28;
  const minPixels = opts.minPixels ?? DEFAULT_MIN_PIXELS;
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  checkPositive('height', height, true);
  checkPositive('width', width, true);
  checkPositive('factor', factor, true);
  checkPositive('minPixels', minPixels, false);
  checkPositive('maxPixels', maxPixels, false);
  if (minPixels > maxPixels) {
    throw new LvrError('INVALID_ARGUMENT', `smartResize: minPixels (${minPixels}) exceeds maxPixels (${maxPixels})`, {
      details: { minPixels, maxPixels },
    });
  }
  const ratio = Math.max(height, width) / Math.min(height, width);
  if (ratio > MAX_ASPECT_RATIO) {
    throw new LvrError(
      'INVALID_ARGUMENT',
      `smartResize: aspect ratio ${ratio} of ${width}×${height} (W×H) exceeds ${MAX_ASPECT_RATIO}`,
      { details: { height, width, ratio } },
    );
  }
  let hBar = Math.max(factor, roundHalfEven(height / factor) * factor);
  let wBar = Math.max(factor, roundHalfEven(width / factor) * factor);
  if (hBar * wBar > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    hBar = Math.max(factor, Math.floor(height / beta / factor) * factor);
    wBar = Math.max(factor, Math.floor(width / beta / factor) * factor);
  } else if (hBar * wBar < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    hBar = Math.ceil((height * beta) / factor) * factor;
    wBar = Math.ceil((width * beta) / factor) * factor;
  }
  return [hBar, wBar];
}

import { LvrError } from '@lvr/core';
import type { RgbImage } from './rgb-image.js';
import { assertRgbImage, sourcePrefix } from './rgb-image.js';

/** Fixed-point precision of Pillow's 8-bit resampler (32 − 8 − 2 bits). */
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);
/** Support (half-width) of the cubic kernel at scale 1. */
const CUBIC_SUPPORT = 2;
/** Keys' cubic-convolution parameter used by Pillow's BICUBIC. */
const A = -0.5;

/** Keys' cubic convolution kernel with a = −0.5 (Catmull-Rom). */
function cubic(x: number): number {
  const t = x < 0 ? -x : x;
  if (t < 1) return ((A + 2) * t - (A + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * A;
  return 0;
}

/** Per output sample along one axis: first source index, tap count and fixed-point weights. */
interface Taps {
  readonly first: Int32Array;
  readonly count: Int32Array;
  /** `outSize × stride` weights, each scaled by 2²² and rounded half away from zero. */
  readonly weights: Int32Array;
  readonly stride: number;
}

/**
 * Filter taps for resampling `inSize` samples to `outSize`, with Pillow's conventions: pixel centres at
 * `i + 0.5`; when shrinking the kernel is widened by the scale (antialiasing); weights are normalized to
 * sum 1 in double precision and then quantized to 22-bit fixed point.
 */
function computeTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = CUBIC_SUPPORT * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const inv = 1 / filterScale;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * stride);
  const w = new Float64Array(stride);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(0, Math.trunc(center - support + 0.5));
    const n = Math.min(inSize, Math.trunc(center + support + 0.5)) - lo;
    let sum = 0;
    for (let k = 0; k < n; k++) {
      w[k] = cubic((k + lo - center + 0.5) * inv);
      sum += w[k] as number;
    }
    for (let k = 0; k < n; k++) {
      const v = sum !== 0 ? (w[k] as number) / sum : (w[k] as number);
      weights[o * stride + k] = v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE);
    }
    first[o] = lo;
    count[o] = n;
  }
  return { first, count, weights, stride };
}

/** Horizontal pass over source rows `[y0, y0 + rows)`: (rows, inW, 3) → (rows, outW, 3). */
function resampleRows(src: Uint8Array, inW: number, y0: number, rows: number, outW: number, taps: Taps): Uint8Array {
  const out = new Uint8Array(rows * outW * 3);
  const { first, count, weights, stride } = taps;
  let o = 0;
  for (let y = 0; y < rows; y++) {
    const rowBase = (y0 + y) * inW * 3;
    for (let x = 0; x < outW; x++) {
      // Integer accumulation (|0): all partial sums stay well inside int32, as in Pillow.
      let r = HALF;
      let g = HALF;
      let b = HALF;
      let p = rowBase + (first[x] as number) * 3;
      let w = x * stride;
      const wEnd = w + (count[x] as number);
      for (; w < wEnd; w++, p += 3) {
        const wk = weights[w] as number;
        r = (r + (src[p] as number) * wk) | 0;
        g = (g + (src[p + 1] as number) * wk) | 0;
        b = (b + (src[p + 2] as number) * wk) | 0;
      }
      r >>= PRECISION_BITS;
      g >>= PRECISION_BITS;
      b >>= PRECISION_BITS;
      out[o++] = r < 0 ? 0 : r > 255 ? 255 : r;
      out[o++] = g < 0 ? 0 : g > 255 ? 255 : g;
      out[o++] = b < 0 ? 0 : b > 255 ? 255 : b;
    }
  }
  return out;
}

/** Vertical pass: (inRows, W, 3) → (outH, W, 3); `taps.first` is relative to row `rowOffset` of `src`. */
function resampleColumns(src: Uint8Array, width: number, rowOffset: number, outH: number, taps: Taps): Uint8Array {
  const rowLen = width * 3;
  const out = new Uint8Array(outH * rowLen);
  const acc = new Int32Array(rowLen); // one output row of fixed-point sums, filled source row by source row
  const { first, count, weights, stride } = taps;
  for (let y = 0; y < outH; y++) {
    acc.fill(HALF);
    const n = count[y] as number;
    for (let k = 0; k < n; k++) {
      const wk = weights[y * stride + k] as number;
      const base = ((first[y] as number) - rowOffset + k) * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] = ((acc[i] as number) + (src[base + i] as number) * wk) | 0;
    }
    const o = y * rowLen;
    for (let i = 0; i < rowLen; i++) {
      const v = (acc[i] as number) >> PRECISION_BITS;
      out[o + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}

/**
 * Bicubic resize that reproduces Pillow's `Image.resize(size, Image.BICUBIC)` on RGB images bit for bit
 * (Keys cubic a = −0.5, centre-aligned sampling, kernel widened by the scale when shrinking, 22-bit
 * fixed-point weights, horizontal pass then vertical pass with an 8-bit intermediate). Synchronous, pure
 * JS; a size that does not change returns a copy.
 *
 * @throws LvrError `INVALID_ARGUMENT` for a bad target size or image.
 * @example
 * const resized = resizeBicubicPil(img, 1008, 756); // same bytes as PIL's img.resize((1008, 756), BICUBIC)
 */
export function resizeBicubicPil(img: RgbImage, width: number, height: number): RgbImage {
  assertRgbImage(img);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new LvrError('INVALID_ARGUMENT', `${sourcePrefix(img)}resize target must be positive integers, got ${width}×${height}`, {
      details: { file: img.source, width, height },
    });
  }
  let data = img.data;
  const vertical = height !== img.height ? computeTaps(img.height, height) : undefined;
  if (width !== img.width) {
    // Only the source rows the vertical pass reads need a horizontal pass.
    const y0 = vertical ? (vertical.first[0] as number) : 0;
    const y1 = vertical ? (vertical.first[height - 1] as number) + (vertical.count[height - 1] as number) : img.height;
    data = resampleRows(data, img.width, y0, y1 - y0, width, computeTaps(img.width, width));
    if (vertical) data = resampleColumns(data, width, y0, height, vertical);
  } else if (vertical) {
    data = resampleColumns(data, width, 0, height, vertical);
  } else {
    data = data.slice();
  }
  return { width, height, data, source: img.source };
}

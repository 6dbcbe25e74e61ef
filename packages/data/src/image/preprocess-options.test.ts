import { describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { CLIP_MEAN, CLIP_STD, resolvePreprocessOptions } from './preprocess-options.js';
import type { PreprocessOptions } from './preprocess-options.js';

function configError(partial: PreprocessOptions): { code: string; message: string; field: unknown } {
  try {
    resolvePreprocessOptions(partial);
  } catch (e) {
    if (!isLvrError(e)) throw e;
    return { code: e.code, message: e.message, field: e.details.field };
  }
  throw new Error('expected an LvrError');
}

describe('resolvePreprocessOptions', () => {
  it('fills the Qwen2.5-VL defaults and derives factor', () => {
    const o = resolvePreprocessOptions();
    expect(o).toEqual({
      patchSize: 14,
      mergeSize: 2,
      temporalPatchSize: 2,
      minPixels: 3136,
      maxPixels: 12845056,
      mean: [...CLIP_MEAN],
      std: [...CLIP_STD],
      rescaleFactor: 1 / 255,
      doResize: true,
      resizeEngine: 'pil',
      factor: 28,
    });
    expect(CLIP_MEAN).toEqual([0.48145466, 0.4578275, 0.40821073]);
    expect(CLIP_STD).toEqual([0.26862954, 0.26130258, 0.27577711]);
  });

  it('freezes the result, copies mean/std, and returns resolved objects unchanged', () => {
    const mean = [0.5, 0.5, 0.5];
    const o = resolvePreprocessOptions({ patchSize: 8, mean });
    expect(Object.isFrozen(o)).toBe(true);
    expect(Object.isFrozen(o.mean)).toBe(true);
    mean[0] = 9;
    expect(o.mean[0]).toBe(0.5);
    expect(o.factor).toBe(16);
    expect(resolvePreprocessOptions(o)).toBe(o);
  });

  it.each<[PreprocessOptions, string, RegExp]>([
    [{ patchSize: 0 }, 'patchSize', /patchSize must be a positive integer, got 0/],
    [{ mergeSize: 1.5 }, 'mergeSize', /mergeSize/],
    [{ temporalPatchSize: NaN }, 'temporalPatchSize', /temporalPatchSize/],
    [{ minPixels: -1 }, 'minPixels', /minPixels must be a positive finite number/],
    [{ maxPixels: Infinity }, 'maxPixels', /maxPixels/],
    [{ minPixels: 10, maxPixels: 5 }, 'minPixels', /minPixels \(10\) must not exceed maxPixels \(5\)/],
    [{ mean: [0.5, 0.5] }, 'mean', /mean must be an array of 3 numbers/],
    [{ std: [0.2, 0, 0.2] }, 'std', /std must hold 3 positive finite numbers/],
    [{ mean: [0.5, NaN, 0.5] }, 'mean', /mean must hold 3 finite numbers/],
    [{ rescaleFactor: 0 }, 'rescaleFactor', /rescaleFactor/],
    [{ doResize: 'yes' as unknown as boolean }, 'doResize', /doResize must be a boolean/],
    [{ resizeEngine: 'lanczos' as never }, 'resizeEngine', /resizeEngine must be one of pil, sharp/],
  ])('rejects %j with CONFIG_INVALID naming %s', (partial, field, pattern) => {
    const err = configError(partial);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.field).toBe(field);
    expect(err.message).toMatch(pattern);
  });
});

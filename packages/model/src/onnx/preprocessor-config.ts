import { LvrError } from '@lvr/core';
import type { PreprocessOptions } from '@lvr/data';
import type { ModelConfig } from '../config.js';
import { preprocessFor } from '../recipes/pretrain-data.js';

/**
 * `preprocessor_config.json` in the Qwen2-VL image-processor format (the fields transformers / transformers.js
 * read), from the model config: the same options `preprocessFor(config)` uses at training time.
 *
 * @example
 * preprocessorConfigJson(config).patch_size; // 8 for the miniature
 */
export function preprocessorConfigJson(c: ModelConfig): Record<string, unknown> {
  const o = preprocessFor(c);
  return {
    image_processor_type: 'Qwen2VLImageProcessor',
    processor_class: 'Qwen2_5_VLProcessor',
    do_resize: o.doResize,
    resample: 3, // bicubic
    do_rescale: true,
    rescale_factor: o.rescaleFactor,
    do_normalize: true,
    image_mean: [...o.mean],
    image_std: [...o.std],
    do_convert_rgb: true,
    min_pixels: o.minPixels,
    max_pixels: o.maxPixels,
    patch_size: o.patchSize,
    temporal_patch_size: o.temporalPatchSize,
    merge_size: o.mergeSize,
  };
}

/**
 * Reads a `preprocessor_config.json` back into `@lvr/data` preprocess options (for inference from a folder).
 *
 * @throws LvrError `CONFIG_INVALID` naming the file and field.
 * @example
 * const opts = preprocessOptionsFromJson(JSON.parse(text), 'model/preprocessor_config.json');
 */
export function preprocessOptionsFromJson(j: Record<string, unknown>, file = 'preprocessor_config.json'): PreprocessOptions {
  const num = (k: string): number => {
    const v = j[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new LvrError('CONFIG_INVALID', `${file}: field "${k}" must be a number, got ${JSON.stringify(v)}`, { details: { file, field: k } });
    return v;
  };
  const triple = (k: string): [number, number, number] => {
    const v = j[k];
    if (!Array.isArray(v) || v.length !== 3 || v.some((x) => typeof x !== 'number')) {
      throw new LvrError('CONFIG_INVALID', `${file}: field "${k}" must be an array of 3 numbers`, { details: { file, field: k } });
    }
    return [v[0], v[1], v[2]] as [number, number, number];
  };
  return {
    patchSize: num('patch_size'),
    temporalPatchSize: num('temporal_patch_size'),
    mergeSize: num('merge_size'),
    minPixels: num('min_pixels'),
    maxPixels: num('max_pixels'),
    mean: triple('image_mean'),
    std: triple('image_std'),
    rescaleFactor: num('rescale_factor'),
    doResize: j.do_resize !== false,
  };
}

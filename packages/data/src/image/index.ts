/**
 * Qwen2.5-VL image preprocessing: decode (sharp, loaded lazily; header-checked against the decode limits)
 * → smart resize → bicubic resize → CLIP normalization →
 * temporal duplication → patchify into `pixel_values` rows + `image_grid_thw`.
 */
export type { RgbImage } from './rgb-image.js';
export { assertRgbImage } from './rgb-image.js';
export type { LoadImageOptions } from './load-image.js';
export { loadImage } from './load-image.js';
export type { Sharp } from './sharp.js';
export { loadSharp } from './sharp.js';
export type { ImageDecodeOptions, ResolvedImageDecodeLimits } from './decode-limits.js';
export { resolveDecodeLimits, DEFAULT_MAX_INPUT_PIXELS, DEFAULT_DECODE_BUDGET_BYTES, RASTER_FORMATS, VECTOR_FORMATS } from './decode-limits.js';
export { DecodeBudget, defaultDecodeBudget, estimateDecodeBytes } from './decode-budget.js';
export type { ImageHeader } from './image-header.js';
export { readImageHeader, checkImageHeader } from './image-header.js';
export type { SmartResizeOptions } from './smart-resize.js';
export { smartResize, roundHalfEven, DEFAULT_MIN_PIXELS, DEFAULT_MAX_PIXELS, MAX_ASPECT_RATIO } from './smart-resize.js';
export type { ResizeEngine, ResizeOptions } from './resize.js';
export { resizeBicubic, RESIZE_ENGINES } from './resize.js';
export { resizeBicubicPil } from './pil-resample.js';
export type { PreprocessOptions, ResolvedPreprocessOptions } from './preprocess-options.js';
export { resolvePreprocessOptions, CLIP_MEAN, CLIP_STD } from './preprocess-options.js';
export type { GridThw, ImageGrid } from './grid.js';
export { gridThwFor } from './grid.js';
export { normalizationTable, normalizeToChw } from './normalize.js';
export { patchify, patchifyRgb } from './patchify.js';
export type { PreprocessedImage } from './preprocess.js';
export { preprocessImage, loadAndPreprocessImage } from './preprocess.js';

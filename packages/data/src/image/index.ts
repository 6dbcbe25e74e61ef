/**
 * Qwen2.5-VL image preprocessing: decode (sharp) → smart resize → bicubic resize → CLIP normalization →
 * temporal duplication → patchify into `pixel_values` rows + `image_grid_thw`.
 */
export type { RgbImage } from './rgb-image.js';
export { assertRgbImage } from './rgb-image.js';
export type { LoadImageOptions } from './load-image.js';
export { loadImage } from './load-image.js';
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

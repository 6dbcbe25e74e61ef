import { LvrError, type ProgressCallback } from '@lvr/core';
import { resolveDecodeLimits, type ImageDecodeOptions } from '../image/decode-limits.js';

/**
 * How much an image reference is checked while reading:
 * `'none'` — path safety only; `'exists'` — the file exists and is a regular file (stat);
 * `'decode'` — the file fully decodes as `loadImage` decodes it (catches corrupt / truncated bytes, refused
 * formats such as SVG, and images over the decode pixel limit; slow on big sets).
 */
export type ImageCheckMode = 'none' | 'exists' | 'decode';

/** What a reader does with an invalid record: throw (`'error'`) or collect it in `skipped` and warn. */
export type InvalidRecordPolicy = 'error' | 'skip';

/** Options shared by every dataset reader. */
export interface DatasetReadOptions {
  /** Folder the record's image paths are relative to; no image may resolve outside it. Required. */
  imageFolder: string;
  /** Image check per record. Default `'exists'`. */
  checkImages?: ImageCheckMode;
  /** Invalid-record policy. Default `'error'`. File-level problems (unreadable file, bad JSON) always throw. */
  onInvalid?: InvalidRecordPolicy;
  /**
   * How far a normalised box coordinate may lie outside [0, 1] (annotation spill-over) before the record is
   * rejected as "not normalised" (typically pixel coordinates). Default 0.01. Accepted coordinates are kept
   * as written in LVR SFT records (the ROI mapper clamps); Visual-CoT conversion clamps them to [0, 1].
   */
  boxTolerance?: number;
  /** Records whose image checks run at the same time. Default 8. */
  concurrency?: number;
  /**
   * Decode limits of `checkImages: 'decode'` (`maxInputPixels`, default 40 Mpx; `allowVector`; `decodeBudget`).
   * Default: the loader's defaults.
   */
  imageDecode?: ImageDecodeOptions;
  /** Progress events (`start`, `progress` about every 1 % of the records, `done`). */
  onProgress?: ProgressCallback;
}

/** {@link DatasetReadOptions} with defaults filled in; frozen. */
export interface ResolvedDatasetReadOptions {
  readonly imageFolder: string;
  readonly checkImages: ImageCheckMode;
  readonly onInvalid: InvalidRecordPolicy;
  readonly boxTolerance: number;
  readonly concurrency: number;
  readonly imageDecode: Readonly<ImageDecodeOptions>;
  readonly onProgress: ProgressCallback | undefined;
}

/**
 * Fills in the defaults of {@link DatasetReadOptions} and validates them once (`INVALID_ARGUMENT`).
 *
 * @example
 * resolveDatasetReadOptions({ imageFolder: 'data/images' }).checkImages; // 'exists'
 */
export function resolveDatasetReadOptions(options: DatasetReadOptions): ResolvedDatasetReadOptions {
  if (typeof options !== 'object' || options === null) {
    throw new LvrError('INVALID_ARGUMENT', 'datasets: options with an imageFolder are required');
  }
  const { imageFolder } = options;
  if (typeof imageFolder !== 'string' || imageFolder.length === 0) {
    throw new LvrError('INVALID_ARGUMENT', `datasets: options.imageFolder must be a non-empty path, got ${String(imageFolder)}`);
  }
  const checkImages = options.checkImages ?? 'exists';
  if (checkImages !== 'none' && checkImages !== 'exists' && checkImages !== 'decode') {
    throw new LvrError('INVALID_ARGUMENT', `datasets: options.checkImages must be 'none', 'exists' or 'decode', got ${String(checkImages)}`);
  }
  const onInvalid = options.onInvalid ?? 'error';
  if (onInvalid !== 'error' && onInvalid !== 'skip') {
    throw new LvrError('INVALID_ARGUMENT', `datasets: options.onInvalid must be 'error' or 'skip', got ${String(onInvalid)}`);
  }
  const boxTolerance = options.boxTolerance ?? 0.01;
  if (typeof boxTolerance !== 'number' || !Number.isFinite(boxTolerance) || boxTolerance < 0) {
    throw new LvrError('INVALID_ARGUMENT', `datasets: options.boxTolerance must be a finite number ≥ 0, got ${String(boxTolerance)}`);
  }
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new LvrError('INVALID_ARGUMENT', `datasets: options.concurrency must be a positive integer, got ${String(concurrency)}`);
  }
  if (options.imageDecode !== undefined && (typeof options.imageDecode !== 'object' || options.imageDecode === null)) {
    throw new LvrError('INVALID_ARGUMENT', `datasets: options.imageDecode must be an object of decode limits, got ${String(options.imageDecode)}`);
  }
  const imageDecode = Object.freeze({ ...options.imageDecode });
  resolveDecodeLimits(imageDecode); // validate now, not at the first decode
  return Object.freeze({ imageFolder, checkImages, onInvalid, boxTolerance, concurrency, imageDecode, onProgress: options.onProgress });
}

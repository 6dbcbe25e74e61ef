import { stat } from 'node:fs/promises';
import { LvrError } from '@lvr/core';
import type { ImageDecodeOptions } from '../image/decode-limits.js';
import { withDecodedImage } from '../image/load-image.js';
import type { ImageCheckMode } from './options.js';

async function checkOne(path: string, mode: ImageCheckMode, decode: ImageDecodeOptions): Promise<void> {
  if (mode === 'none') return;
  let info;
  try {
    info = await stat(path);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    const why = code === 'ENOENT' ? 'image file not found' : `image file cannot be read (${code ?? 'unknown error'})`;
    throw new LvrError('IO_ERROR', `${why}: ${path}`, { cause, details: { file: path } });
  }
  if (!info.isFile()) throw new LvrError('IO_ERROR', `image path is not a regular file: ${path}`, { details: { file: path } });
  if (mode === 'exists') return;
  // The same header checks (format, maxInputPixels), memory budget and decoder as training's loadImage.
  await withDecodedImage(path, decode, async () => undefined);
}

/**
 * Checks image files once per path (records often share images) in the given mode: `'exists'` stats the
 * file (`IO_ERROR` when missing), `'decode'` also decodes it as `loadImage` does, with the decode limits
 * `decode` (`IMAGE_INVALID` on corrupt bytes, a refused format or more than `maxInputPixels`).
 */
export class ImageChecker {
  private readonly cache = new Map<string, Promise<void>>();

  constructor(
    readonly mode: ImageCheckMode,
    private readonly decode: ImageDecodeOptions = {},
  ) {}

  /** Resolves when the image passes the check; rejects with an LvrError naming the path otherwise. */
  check(path: string): Promise<void> {
    let p = this.cache.get(path);
    if (p === undefined) {
      p = checkOne(path, this.mode, this.decode);
      p.catch(() => undefined); // a cached failure is re-reported by every record that awaits it
      this.cache.set(path, p);
    }
    return p;
  }
}

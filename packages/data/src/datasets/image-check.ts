import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { LvrError } from '@lvr/core';
import type { ImageCheckMode } from './options.js';

async function checkOne(path: string, mode: ImageCheckMode): Promise<void> {
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
  try {
    await sharp(path).raw().toBuffer();
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new LvrError('IMAGE_INVALID', `image cannot be decoded (${reason}): ${path}`, { cause, details: { file: path } });
  }
}

/**
 * Checks image files once per path (records often share images) in the given mode: `'exists'` stats the
 * file (`IO_ERROR` when missing), `'decode'` also decodes it with sharp (`IMAGE_INVALID` on corrupt bytes).
 */
export class ImageChecker {
  private readonly cache = new Map<string, Promise<void>>();

  constructor(readonly mode: ImageCheckMode) {}

  /** Resolves when the image passes the check; rejects with an LvrError naming the path otherwise. */
  check(path: string): Promise<void> {
    let p = this.cache.get(path);
    if (p === undefined) {
      p = checkOne(path, this.mode);
      p.catch(() => undefined); // a cached failure is re-reported by every record that awaits it
      this.cache.set(path, p);
    }
    return p;
  }
}

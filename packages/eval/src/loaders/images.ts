import { PathResolver, readImageHeader } from '@lvr/data';
import type { ImageRef } from '../item.js';
import { atRow, describe, rowError, type RawRow } from './location.js';
import { assertFile } from './text-files.js';

/**
 * Turns dataset-relative image paths into checked {@link ImageRef}s: paths must stay inside the dataset
 * folder (`PATH_OUTSIDE_ROOT` otherwise: `..`, absolute paths elsewhere, URLs — nothing is downloaded) and,
 * when `checkFiles`, the file must exist (`IO_ERROR`). Errors name the row and field.
 */
export class ImageFiles {
  private constructor(
    private readonly resolver: PathResolver,
    private readonly checkFiles: boolean,
  ) {}

  /** A resolver rooted at `root` (which must exist). */
  static async create(root: string, checkFiles: boolean): Promise<ImageFiles> {
    return new ImageFiles(await PathResolver.create(root), checkFiles);
  }

  /** The absolute path of `path` inside the root (checked to exist when `checkFiles`). */
  async resolve(path: string, row: RawRow, field: string): Promise<string> {
    try {
      const abs = await this.resolver.resolve(path);
      if (this.checkFiles) await assertFile(abs);
      return abs;
    } catch (e) {
      throw atRow(e, row.loc, field);
    }
  }

  /** A file {@link ImageRef} for `path` (see {@link ImageFiles.resolve}). */
  async file(path: string, row: RawRow, field: string): Promise<ImageRef> {
    return { kind: 'file', path: await this.resolve(path, row, field) };
  }

  /**
   * The image of a Hugging Face image struct `{bytes, path}`: the bytes when present (kept in memory), else
   * the struct's `path` resolved inside the root. `null` / missing → `undefined` (an absent optional image).
   */
  async struct(v: unknown, row: RawRow, field: string): Promise<ImageRef | undefined> {
    if (v === null || v === undefined) return undefined;
    if (typeof v === 'string') return this.file(v, row, field);
    if (typeof v !== 'object' || Array.isArray(v)) {
      throw rowError(row.loc, field, `expected an image struct {bytes, path}, a path or null, got ${describe(v)}`);
    }
    const s = v as { bytes?: unknown; path?: unknown };
    const name = typeof s.path === 'string' && s.path.length > 0 ? s.path : `${field}`;
    if (s.bytes instanceof Uint8Array && s.bytes.length > 0) return { kind: 'bytes', bytes: s.bytes, name };
    if (typeof s.bytes === 'string' && s.bytes.length > 0) {
      throw rowError(row.loc, `${field}.bytes`, 'image bytes were decoded as text; read the parquet file with utf8: false');
    }
    if (typeof s.path === 'string' && s.path.length > 0) return this.file(s.path, row, `${field}.path`);
    throw rowError(row.loc, field, 'image struct has neither bytes nor a path');
  }
}

/**
 * Width and height in pixels from an image's header (`readImageHeader` of @lvr/data: sharp metadata, the
 * pixels are not decoded). `IO_ERROR` when the file cannot be read, `IMAGE_INVALID` when it is not an image.
 * The decode limits (pixel count, SVG) are applied when the image is loaded for evaluation, not here.
 *
 * @example
 * await imagePixelSize('vstar/direct_attributes/sa_4690.jpg'); // { width: 2000, height: 1500 }
 */
export async function imagePixelSize(source: string | Uint8Array): Promise<{ width: number; height: number }> {
  if (typeof source === 'string') await assertFile(source);
  const { width, height } = await readImageHeader(source, typeof source === 'string' ? source : '<bytes>');
  return { width, height };
}

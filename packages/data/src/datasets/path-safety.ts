import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { LvrError } from '@lvr/core';

const URL_LIKE = /^[a-zA-Z][a-zA-Z0-9+.-]+:/; // http:, https:, s3:, file:, data: … (not a drive letter)

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

async function realpathOrNull(p: string): Promise<string | null> {
  try {
    return await realpath(p);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new LvrError('IO_ERROR', `cannot resolve ${p} (${code ?? 'unknown error'})`, { cause });
  }
}

/**
 * The real location of `p`: its realpath when it exists, else the realpath of its deepest existing
 * ancestor joined with the missing tail (so a missing file under a symlinked folder is still judged by
 * where the folder really points).
 */
async function realLocation(p: string): Promise<string> {
  const tail: string[] = [];
  let cur = p;
  for (;;) {
    const real = await realpathOrNull(cur);
    if (real !== null) return tail.length === 0 ? real : join(real, ...tail.reverse());
    const parent = dirname(cur);
    if (parent === cur) return p;
    tail.push(basename(cur));
    cur = parent;
  }
}

/**
 * Resolves dataset-relative paths inside one root folder and refuses every escape. Create once per
 * folder (`await PathResolver.create(root)`) and call {@link PathResolver.resolve} per path.
 */
export class PathResolver {
  private constructor(
    /** The root as given, made absolute. */
    readonly root: string,
    /** The root's realpath (symlinks resolved). */
    readonly realRoot: string,
  ) {}

  /** Checks that `root` exists and is reachable; `IO_ERROR` naming it otherwise. */
  static async create(root: string): Promise<PathResolver> {
    const abs = resolve(root);
    const real = await realpathOrNull(abs);
    if (real === null) {
      throw new LvrError('IO_ERROR', `image folder ${root} does not exist`, { details: { file: root } });
    }
    return new PathResolver(abs, real);
  }

  /**
   * The absolute path of `path` inside the root. Relative paths are joined to the root; an absolute path
   * is accepted only when it already lies inside the root. Rejected with `PATH_OUTSIDE_ROOT`: URLs (no
   * downloads), `..` escapes, absolute paths elsewhere, and paths whose realpath (through any symlink)
   * leaves the root's realpath. Empty strings and NUL bytes give `DATASET_FORMAT`.
   */
  async resolve(path: string): Promise<string> {
    if (typeof path !== 'string' || path.length === 0) {
      throw new LvrError('DATASET_FORMAT', `image path must be a non-empty string, got ${JSON.stringify(path)}`);
    }
    if (path.includes('\0')) {
      throw new LvrError('DATASET_FORMAT', `image path ${JSON.stringify(path)} contains a NUL byte`);
    }
    if (URL_LIKE.test(path)) {
      throw new LvrError('PATH_OUTSIDE_ROOT', `image path "${path}" is a URL; only files inside ${this.root} are read (no downloads)`);
    }
    const abs = isAbsolute(path) ? resolve(path) : resolve(this.root, path);
    if (!isInside(this.root, abs) && !isInside(this.realRoot, abs)) {
      throw new LvrError('PATH_OUTSIDE_ROOT', `image path "${path}" resolves to ${abs}, outside the image folder ${this.root}`);
    }
    const real = await realLocation(abs);
    if (!isInside(this.realRoot, real)) {
      throw new LvrError(
        'PATH_OUTSIDE_ROOT',
        `image path "${path}" leads through a symlink to ${real}, outside the image folder ${this.root}`,
      );
    }
    return abs;
  }
}

/**
 * One-shot form of {@link PathResolver}: the absolute path of `path` inside `root`, or a
 * `PATH_OUTSIDE_ROOT` LvrError for `..` escapes, absolute paths elsewhere, URLs and symlinks out of root.
 *
 * @example
 * await resolveInside('/data/images', 'coco/1.jpg');   // '/data/images/coco/1.jpg'
 * await resolveInside('/data/images', '../secret.png'); // throws LvrError PATH_OUTSIDE_ROOT
 */
export async function resolveInside(root: string, path: string): Promise<string> {
  return (await PathResolver.create(root)).resolve(path);
}

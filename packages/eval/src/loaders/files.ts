import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LvrError } from '@lvr/core';

/**
 * The files under `path` (itself when it is a file) whose names end with one of `extensions`, walked
 * recursively in sorted order; hidden entries are skipped. `IO_ERROR` when `path` does not exist.
 *
 * @example
 * await findDataFiles('/data/BLINK', ['.parquet', '.jsonl']); // ['/data/BLINK/Counting/val-00000-of-00001.parquet', …]
 */
export async function findDataFiles(path: string, extensions: readonly string[]): Promise<string[]> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new LvrError('IO_ERROR', `${path}: ${code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? String(cause)})`}`, {
      cause,
      details: { file: path },
    });
  }
  if (!isDir) return [path];
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (extensions.some((x) => e.name.endsWith(x))) out.push(p);
    }
  };
  await walk(path);
  return out;
}

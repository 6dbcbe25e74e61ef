import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { LvrError } from './errors.js';

let counter = 0;

/** Writes a file atomically: a temp file in the same folder, then rename over the target. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (cause) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new LvrError('IO_ERROR', `could not write ${path}`, { cause, details: { file: path } });
  }
}

/** Atomic JSON write with 2-space indentation and a trailing newline. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Whether a file or folder exists. A missing path (or a file where a folder is expected) is `false`; any other
 * failure (permissions, I/O) is an `IO_ERROR` naming the path rather than a silent `false`.
 *
 * @example
 * if (!(await pathExists('runs/demo/eval/summary.json'))) await runEval();
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw new LvrError('IO_ERROR', `cannot stat ${path} (${code ?? String(cause)})`, { cause, details: { file: path } });
  }
}

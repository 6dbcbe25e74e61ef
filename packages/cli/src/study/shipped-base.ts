import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pathExists, type Logger } from '@lvr/core';
import { initBase } from '@lvr/model';
import { runLvr } from '../demo/subprocess.js';

/**
 * The base model shipped in the repository (`models/base/`, see its README model card): the default starting point
 * of `lvr demo` and `lvr ablate`. Resolved from this file's location, so it works from any working directory of a
 * repository checkout; a published install has no `models/` folder (pass `--base DIR` or `--pretrain`).
 */
export function shippedBaseDir(): string {
  // src/study/ and dist/study/ are both four levels below the repository root.
  return fileURLToPath(new URL('../../../../models/base', import.meta.url));
}

/**
 * `--base fresh`: an untrained, seeded model of the shipped base's size in `DIR/base-fresh` (tokenizer from the
 * suite vocabulary), created once and reused — the from-scratch start of the perception-free study.
 */
export async function freshBase(outDir: string, log: Logger): Promise<string> {
  const dir = join(outDir, 'base-fresh');
  if (await pathExists(join(dir, 'model.safetensors'))) return dir;
  const suite = join(outDir, 'vocab-suite');
  if (!(await pathExists(join(suite, 'tokenizer.json')))) await runLvr(['synth', '--out', suite, '--train', '1', '--test', '1', '--seed', '0'], log, 'vocabulary');
  const tokenizerJson = JSON.parse(await readFile(join(suite, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
  await initBase({ tokenizerJson, outDir: dir, size: 'base', seed: 0 });
  return dir;
}

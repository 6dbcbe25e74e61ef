import { fileURLToPath } from 'node:url';

/**
 * The base model shipped in the repository (`models/base/`, see its README model card): the default starting point
 * of `lvr demo` and `lvr ablate`. Resolved from this file's location, so it works from any working directory of a
 * repository checkout; a published install has no `models/` folder (pass `--base DIR` or `--pretrain`).
 */
export function shippedBaseDir(): string {
  // src/study/ and dist/study/ are both four levels below the repository root.
  return fileURLToPath(new URL('../../../../models/base', import.meta.url));
}

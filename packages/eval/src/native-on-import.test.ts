import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * `import '@lvr/data'` and `import '@lvr/eval'` load no native code: sharp (libvips) is loaded by `loadSharp()`
 * on the first image decode or encode. Checked in a fresh Node process (vitest's own process has loaded sharp
 * long ago) through the shared objects the process has mapped (`process.report`), which is what loading a
 * native addon does, whatever module path led to it.
 */
const SCRIPT = `
const mapped = () => process.report.getReport().sharedObjects.filter((s) => /sharp|libvips/i.test(s));
await import('@lvr/data');
await import('@lvr/eval');
const afterImport = mapped();
const { loadSharp } = await import('@lvr/data');
await loadSharp();
console.log(JSON.stringify({ afterImport, afterLoad: mapped() }));
`;

describe('importing @lvr/data and @lvr/eval', () => {
  it('does not load sharp / libvips until loadSharp() is called', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@lvr/source', '--import', import.meta.resolve('tsx'), '--input-type=module', '-e', SCRIPT],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 50_000 },
    );
    const { afterImport, afterLoad } = JSON.parse(stdout.trim().split('\n').at(-1) as string) as { afterImport: string[]; afterLoad: string[] };
    expect(afterImport).toEqual([]);
    expect(afterLoad.some((s) => /sharp/.test(s))).toBe(true); // the probe does see sharp once it is loaded
  });
});

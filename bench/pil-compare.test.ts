import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparePreprocessing, lvrImagesPerSecond } from './pil-compare.js';
import { PYTHON } from './python-runner.js';

const hasPil = ((): boolean => {
  try {
    execFileSync(PYTHON, ['-c', 'import PIL, numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let dir = '';
let png = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-bench-pil-'));
  png = join(dir, 'img.png');
  const raw = Buffer.from(Array.from({ length: 320 * 240 * 3 }, (_, i) => (i * 37) % 251));
  await writeFile(png, await sharp(raw, { raw: { width: 320, height: 240, channels: 3 } }).png().toBuffer());
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('preprocessing comparison', () => {
  it('times @lvr/data from the file and reports the stage-1 rows', async () => {
    const r = await lvrImagesPerSecond(png, 'pil', 2, 0);
    expect(r.perSecond).toBeGreaterThan(0);
    expect(r.rows).toBe((280 / 14) * (392 / 14)); // 320×240 is below the 100352-px minimum: smart resize up to 392×280
  });

  it.skipIf(!hasPil)('runs preprocess.py on the same file and agrees on the number of rows', async () => {
    const [c] = await comparePreprocessing(resolve(import.meta.dirname, '..'), [png], 2);
    expect(c!.rows).toBe(560);
    expect(c!.pil).toBeGreaterThan(0);
    expect(c!.lvr.pil).toBeGreaterThan(0);
    expect(c!.lvr.sharp).toBeGreaterThan(0);
  });
});

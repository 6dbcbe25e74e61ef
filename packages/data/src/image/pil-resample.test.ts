import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { resizeBicubicPil } from './pil-resample.js';
import type { RgbImage } from './rgb-image.js';

/** 5×4 RGB pattern, value (x·53 + y·97 + c·31) mod 256. */
function pattern(): RgbImage {
  const data = new Uint8Array(5 * 4 * 3);
  for (let y = 0, i = 0; y < 4; y++) for (let x = 0; x < 5; x++) for (let c = 0; c < 3; c++) data[i++] = (x * 53 + y * 97 + c * 31) % 256;
  return { width: 5, height: 4, data };
}

// Outputs of Pillow 9.4 `Image.fromarray(pattern).resize((w, h), Image.BICUBIC)`, flattened RGB.
const PIL_3x7 = [11, 42, 73, 103, 134, 187, 206, 237, 107, 47, 82, 119, 121, 154, 142, 139, 170, 97, 116, 151, 186, 149, 182, 67, 31, 61, 86, 190, 156, 103, 124, 118, 75, 58, 102, 150, 216, 134, 19, 98, 67, 109, 131, 163, 189, 108, 100, 86, 126, 142, 138, 200, 130, 80, 41, 81, 132, 144, 191, 152, 236, 106, 13];
const PIL_9x2 = [64, 96, 94, 81, 102, 115, 115, 116, 150, 137, 148, 123, 142, 173, 86, 103, 135, 123, 81, 110, 146, 113, 151, 104, 134, 176, 79, 113, 153, 59, 134, 128, 75, 169, 86, 110, 144, 101, 131, 105, 136, 137, 110, 156, 97, 133, 155, 76, 166, 113, 115, 185, 89, 139];
const PIL_5x9 = [0, 22, 53, 44, 75, 106, 97, 128, 183, 174, 205, 236, 227, 255, 9, 10, 41, 75, 63, 97, 128, 119, 150, 149, 140, 171, 202, 193, 224, 28, 52, 83, 132, 105, 154, 185, 176, 207, 64, 55, 86, 117, 108, 139, 70, 103, 134, 156, 156, 178, 209, 200, 231, 8, 0, 30, 61, 52, 83, 121, 162, 193, 80, 215, 102, 133, 124, 155, 42, 33, 64, 111, 86, 133, 180, 195, 226, 3, 248, 25, 56, 47, 78, 100, 91, 122, 160, 144, 182, 213, 139, 170, 27, 192, 49, 80, 71, 102, 151, 142, 173, 104, 195, 126, 157, 54, 85, 84, 107, 106, 137, 128, 159, 193, 184, 215, 19, 237, 41, 72, 20, 51, 106, 73, 128, 159, 150, 181, 212, 203, 234, 0, 255, 7, 38];

describe('resizeBicubicPil', () => {
  it.each([
    [3, 7, PIL_3x7], // shrink width (antialiased), enlarge height
    [9, 2, PIL_9x2], // enlarge width, shrink height
    [5, 9, PIL_5x9], // vertical pass only
  ])('reproduces Pillow BICUBIC bytes for 5×4 → %i×%i', (w, h, expected) => {
    const out = resizeBicubicPil(pattern(), w, h);
    expect([out.width, out.height]).toEqual([w, h]);
    expect(Array.from(out.data)).toEqual(expected);
  });

  it('reproduces Pillow on a 1-D impulse (centre-aligned sampling)', () => {
    const row = new Uint8Array(8 * 3);
    row.fill(255, 9, 12); // pixel 3 white
    const red = (img: RgbImage): number[] => Array.from(img.data.filter((_, i) => i % 3 === 0));
    const src = { width: 8, height: 1, data: row };
    expect(red(resizeBicubicPil(src, 16, 1))).toEqual([0, 0, 0, 0, 0, 58, 221, 221, 58, 0, 0, 0, 0, 0, 0, 0]);
    expect(red(resizeBicubicPil(src, 9, 1))).toEqual([0, 0, 0, 181, 143, 0, 0, 0, 0]);
  });

  it('returns a copy for an unchanged size and keeps the source name', () => {
    const img = { ...pattern(), source: 'a.png' };
    const out = resizeBicubicPil(img, 5, 4);
    expect(out.data).toEqual(img.data);
    expect(out.data).not.toBe(img.data);
    expect(out.source).toBe('a.png');
  });

  it('keeps a constant image constant', () => {
    const img = { width: 37, height: 23, data: new Uint8Array(37 * 23 * 3).fill(200) };
    for (const [w, h] of [[100, 7], [5, 61], [13, 13]] as const) {
      expect(resizeBicubicPil(img, w, h).data.every((v) => v === 200)).toBe(true);
    }
  });

  it('rejects bad targets', () => {
    expect(() => resizeBicubicPil(pattern(), 0, 3)).toThrow(/resize target must be positive integers, got 0×3/);
    expect(() => resizeBicubicPil(pattern(), 2.5, 3)).toThrow(/positive integers/);
  });

  // Bit-exact parity with the PIL + numpy reference script, when /usr/bin/python3 has Pillow and numpy.
  const script = fileURLToPath(new URL('../../../../tools/pil-reference/preprocess.py', import.meta.url));
  const python = process.env.LVR_PYTHON ?? '/usr/bin/python3';
  const hasPil = ((): boolean => {
    try {
      execFileSync(python, ['-c', 'import PIL, numpy'], { stdio: 'ignore' });
      return existsSync(script);
    } catch {
      return false;
    }
  })();
  it.skipIf(!hasPil)('matches tools/pil-reference/preprocess.py byte for byte on random images', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvr-pil-'));
    try {
      const rng = new Rng(5);
      for (const [w, h, minPixels, maxPixels] of [[97, 61, 100352, 4014080], [700, 300, 3136, 50176]] as const) {
        const data = Uint8Array.from({ length: w * h * 3 }, () => rng.int(256));
        const file = join(dir, `${w}x${h}.png`);
        await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toFile(file);
        const resizedPath = join(dir, 'resized.raw');
        const summary = JSON.parse(
          execFileSync(python, [script, file, '--resized-out', resizedPath, '--min-pixels', String(minPixels), '--max-pixels', String(maxPixels)], {
            encoding: 'utf8',
          }),
        ) as { resized_wh: [number, number] };
        const [rw, rh] = summary.resized_wh;
        const ours = resizeBicubicPil({ width: w, height: h, data }, rw, rh);
        expect(Buffer.compare(Buffer.from(ours.data), readFileSync(resizedPath))).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

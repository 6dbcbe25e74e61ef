/**
 * Parity check of the @lvr/data image pipeline (both resize engines) against preprocess.py (PIL + numpy) on synthetic
 * images. Prints, per case, the max / mean absolute difference of the resized 8-bit pixels and of the
 * normalized pixel rows. Not a test (it needs Python with Pillow): the default 'pil' engine is bit-identical, 'sharp' is not.
 *
 * Run: node --conditions=@lvr/source --import tsx tools/pil-reference/compare.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { Rng } from '@lvr/core';
import { RESIZE_ENGINES, gridThwFor, loadImage, preprocessImage, resizeBicubic } from '@lvr/data';
import type { PreprocessOptions } from '@lvr/data';

const PYTHON = process.env.LVR_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./preprocess.py', import.meta.url));
const STAGE1: PreprocessOptions = { minPixels: 100352, maxPixels: 4014080 };

type Painter = (x: number, y: number, c: number, rng: Rng) => number;

const painters: Record<string, Painter> = {
  gradient: (x, y, c) => (x * (c + 1) + y * (3 - c)) % 256,
  noise: (_x, _y, _c, rng) => rng.int(256),
  checker8: (x, y, c) => (((x >> 3) + (y >> 3)) % 2 === 0 ? 30 + 40 * c : 220 - 30 * c),
  shapes: (x, y, c) => ((x - 300) ** 2 + (y - 200) ** 2 < 150 ** 2 ? 250 - 100 * c : x % 97 < 5 ? 0 : 128 + 40 * c),
};

type Encoding = 'png' | 'rgba-png' | 'grey-png' | 'jpeg';

const cases: { painter: string; width: number; height: number; opts: PreprocessOptions; enc?: Encoding }[] = [
  { painter: 'noise', width: 448, height: 448, opts: STAGE1 }, // no resize: rows must be bit-identical
  { painter: 'gradient', width: 1000, height: 750, opts: STAGE1 },
  { painter: 'noise', width: 640, height: 480, opts: STAGE1 },
  { painter: 'shapes', width: 640, height: 480, opts: STAGE1 },
  { painter: 'checker8', width: 3000, height: 2000, opts: STAGE1 },
  { painter: 'shapes', width: 3000, height: 2000, opts: STAGE1 },
  { painter: 'noise', width: 100, height: 100, opts: STAGE1 },
  { painter: 'shapes', width: 100, height: 100, opts: STAGE1 },
  { painter: 'gradient', width: 1600, height: 1200, opts: { minPixels: 3136, maxPixels: 200704 } },
  { painter: 'shapes', width: 1600, height: 1200, opts: { minPixels: 3136, maxPixels: 200704 } },
  { painter: 'noise', width: 1010, height: 750, opts: STAGE1 }, // width shrinks, height grows
  { painter: 'noise', width: 3000, height: 60, opts: STAGE1 },
  { painter: 'shapes', width: 500, height: 20, opts: STAGE1 },
  { painter: 'shapes', width: 640, height: 480, opts: STAGE1, enc: 'rgba-png' },
  { painter: 'shapes', width: 640, height: 480, opts: STAGE1, enc: 'grey-png' },
  { painter: 'shapes', width: 640, height: 480, opts: STAGE1, enc: 'jpeg' },
  { painter: 'noise', width: 448, height: 448, opts: STAGE1, enc: 'jpeg' },
];

async function encode(raw: Uint8Array, width: number, height: number, enc: Encoding, path: string): Promise<void> {
  const rgb = sharp(raw, { raw: { width, height, channels: 3 } });
  if (enc === 'png') await rgb.png().toFile(path);
  else if (enc === 'jpeg') await rgb.jpeg({ quality: 90 }).toFile(path);
  else if (enc === 'grey-png') await rgb.toColourspace('b-w').png().toFile(path);
  else {
    const alpha = Buffer.alloc(width * height);
    for (let i = 0; i < alpha.length; i++) alpha[i] = (i * 7) % 256; // every opacity level
    await rgb.joinChannel(alpha, { raw: { width, height, channels: 1 } }).png().toFile(path);
  }
}

function paint(name: string, width: number, height: number): Uint8Array {
  const painter = painters[name] as Painter;
  const rng = new Rng(7);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) data[i++] = painter(x, y, c, rng);
  }
  return data;
}

function diff(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; mean: number; identical: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  let sum = 0;
  let same = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    if (d > max) max = d;
    if (d === 0) same++;
    sum += d;
  }
  return { max, mean: sum / a.length, identical: same / a.length };
}

const dir = mkdtempSync(join(tmpdir(), 'lvr-pil-'));
try {
  for (const k of cases) {
    const enc = k.enc ?? 'png';
    const png = join(dir, `${k.painter}-${k.width}x${k.height}.${enc === 'jpeg' ? 'jpg' : 'png'}`);
    await encode(paint(k.painter, k.width, k.height), k.width, k.height, enc, png);
    const grid = gridThwFor(k.height, k.width, k.opts);
    const args = [SCRIPT, png, '--out', join(dir, 'rows.raw'), '--resized-out', join(dir, 'resized.raw'),
      '--min-pixels', String(k.opts.minPixels), '--max-pixels', String(k.opts.maxPixels)];
    const summary = JSON.parse(execFileSync(PYTHON, args, { encoding: 'utf8' })) as { resized_wh: number[] };
    const pilResized = new Uint8Array(readFileSync(join(dir, 'resized.raw')));
    const pilRowsBytes = readFileSync(join(dir, 'rows.raw'));
    const pilRows = new Float32Array(pilRowsBytes.buffer, pilRowsBytes.byteOffset, pilRowsBytes.length / 4);
    const label = `${k.painter} ${enc} ${k.width}×${k.height} → ${grid.resizedWidth}×${grid.resizedHeight}`;
    process.stdout.write(`${label}\n`);
    const img = await loadImage(png);
    for (const engine of RESIZE_ENGINES) {
      const ours = await preprocessImage(img, { ...k.opts, resizeEngine: engine });
      if (summary.resized_wh[0] !== ours.resizedWidth || summary.resized_wh[1] !== ours.resizedHeight) {
        throw new Error(`size mismatch for ${png}: PIL ${summary.resized_wh.join('×')} vs ${ours.resizedWidth}×${ours.resizedHeight}`);
      }
      const resized = await resizeBicubic(img, grid.resizedWidth, grid.resizedHeight, { engine });
      const px = diff(resized.data, pilResized);
      const rows = diff(ours.pixelValues, pilRows);
      process.stdout.write(
        `  ${engine.padEnd(6)} pixels: max ${String(px.max).padStart(3)} mean ${px.mean.toFixed(3).padStart(6)} ` +
          `identical ${(100 * px.identical).toFixed(1).padStart(5)}%   rows: max ${rows.max.toExponential(2)} ` +
          `mean ${rows.mean.toExponential(2)}\n`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

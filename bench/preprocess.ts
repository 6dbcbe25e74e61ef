/**
 * Image-preprocessing throughput (not a test). Prints images/s — median over repetitions, warm-up
 * excluded — for load + preprocess of in-memory 448×448 and 1000×750 JPEG / PNG images under the LVR
 * stage-1 pixel budget, for both resize engines, plus per-stage and patchify-only figures.
 *
 * Run: node --conditions=@lvr/source --import tsx bench/preprocess.ts [--reps=N] [--warmup=N] [--write-dir=DIR]
 * `--write-dir` also saves the generated JPEG / PNG files there, so tools/pil-reference/preprocess.py
 * (`--repeat N`) can time the Python reference on the same inputs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Rng } from '@lvr/core';
import {
  RESIZE_ENGINES,
  loadImage,
  normalizeToChw,
  patchify,
  patchifyRgb,
  preprocessImage,
  resizeBicubic,
  resolvePreprocessOptions,
} from '@lvr/data';
import type { RgbImage } from '@lvr/data';

function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const v = arg === undefined ? fallback : Number(arg.slice(name.length + 3));
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a non-negative integer`);
  return v;
}

const REPS = Math.max(1, flag('reps', 9));
const WRITE_DIR = process.argv.find((a) => a.startsWith('--write-dir='))?.slice('--write-dir='.length);
const WARMUP = flag('warmup', 2);
const STAGE1 = resolvePreprocessOptions({ minPixels: 100352, maxPixels: 4014080 });

/** Smooth shapes plus mild noise: compresses like a photo, unlike pure noise. */
function photoLike(width: number, height: number): Uint8Array {
  const rng = new Rng(1);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inDisc = (x - width / 3) ** 2 + (y - height / 2) ** 2 < (height / 4) ** 2;
      for (let c = 0; c < 3; c++) {
        const base = inDisc ? 200 - 60 * c : ((x + y * (c + 1)) * 255) / (width + height * 3);
        data[i++] = Math.max(0, Math.min(255, Math.round(base + rng.normal() * 6)));
      }
    }
  }
  return data;
}

/** Median seconds per call of `fn` over REPS timed runs after WARMUP untimed ones. */
async function median(fn: () => unknown): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

function line(label: string, seconds: number): void {
  process.stdout.write(`${label.padEnd(52)} ${(1 / seconds).toFixed(1).padStart(8)} img/s   ${(seconds * 1000).toFixed(2).padStart(8)} ms\n`);
}

process.stdout.write(
  `node ${process.version}, sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}, ` +
    `sharp threads ${sharp.concurrency()}; median of ${REPS} (warm-up ${WARMUP}); stage-1 budget\n\n`,
);

for (const [width, height] of [[448, 448], [1000, 750]] as const) {
  const raw = photoLike(width, height);
  const rawImage = sharp(raw, { raw: { width, height, channels: 3 } });
  const encoded = {
    jpeg: new Uint8Array(await rawImage.clone().jpeg({ quality: 90 }).toBuffer()),
    png: new Uint8Array(await rawImage.clone().png().toBuffer()),
  };
  process.stdout.write(`${width}×${height}\n`);
  if (WRITE_DIR !== undefined) {
    mkdirSync(WRITE_DIR, { recursive: true });
    for (const [format, bytes] of Object.entries(encoded)) writeFileSync(join(WRITE_DIR, `bench-${width}x${height}.${format}`), bytes);
  }
  for (const [format, bytes] of Object.entries(encoded)) {
    for (const engine of RESIZE_ENGINES) {
      const opts = resolvePreprocessOptions({ ...STAGE1, resizeEngine: engine });
      line(`  load+preprocess ${format} (${bytes.length >> 10} KiB), resize ${engine}`, await median(async () => preprocessImage(await loadImage(bytes), opts)));
    }
  }
  const img: RgbImage = await loadImage(encoded.png);
  const p = await preprocessImage(img, STAGE1);
  line('  stage: decode png', await median(() => loadImage(encoded.png)));
  line('  stage: decode jpeg', await median(() => loadImage(encoded.jpeg)));
  const same = p.resizedWidth === width && p.resizedHeight === height ? ' (same size: copy)' : '';
  for (const engine of RESIZE_ENGINES) {
    line(`  stage: resize ${engine} → ${p.resizedWidth}×${p.resizedHeight}${same}`, await median(() => resizeBicubic(img, p.resizedWidth, p.resizedHeight, { engine })));
  }
  const resized = await resizeBicubic(img, p.resizedWidth, p.resizedHeight);
  line('  stage: normalize (LUT → CHW float32)', await median(() => normalizeToChw(resized, STAGE1)));
  const chw = normalizeToChw(resized, STAGE1);
  line(`  stage: patchify only → ${p.rows}×${p.rowWidth}`, await median(() => patchify(chw, p.resizedHeight, p.resizedWidth, STAGE1)));
  line('  stage: patchifyRgb (fused normalize + patchify)', await median(() => patchifyRgb(resized, STAGE1)));
  process.stdout.write('\n');
}

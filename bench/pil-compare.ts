/**
 * Preprocessing throughput, @lvr/data vs the PIL + numpy reference (tools/pil-reference/preprocess.py), on the
 * same image files under the LVR stage-1 pixel budget. Both sides time the whole pipeline from the file on disk:
 * read + decode + smart resize + normalise + patchify. The images are the photo-like JPEG / PNG files that
 * bench/preprocess.ts writes with `--write-dir` (448×448, no resize; 1000×750 → 1008×756).
 */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LvrError } from '@lvr/core';
import { RESIZE_ENGINES, loadImage, preprocessImage, resolvePreprocessOptions, type ResizeEngine } from '@lvr/data';
import { median } from './decode-timing.js';
import { num, runPythonJson } from './python-runner.js';

/** The LVR stage-1 budget used by bench/preprocess.ts and docs/benchmarks.md. */
export const STAGE1_PIXELS = Object.freeze({ minPixels: 100352, maxPixels: 4014080 });

/** Files bench/preprocess.ts writes into its `--write-dir`. */
export const BENCH_IMAGE_FILES = Object.freeze(['bench-448x448.jpeg', 'bench-448x448.png', 'bench-1000x750.jpeg', 'bench-1000x750.png']);

/** One file's throughput on both sides. */
export interface PreprocessComparison {
  readonly file: string;
  /** images/s of @lvr/data per resize engine (`pil` is the default, bit-identical to Pillow). */
  readonly lvr: Readonly<Record<ResizeEngine, number>>;
  /** images/s of preprocess.py. */
  readonly pil: number;
  /** Rows × row width, checked equal on both sides. */
  readonly rows: number;
}

/**
 * Makes sure the benchmark images exist in `dir`, spawning `bench/preprocess.ts --write-dir` (1 repetition) when
 * one is missing.
 */
export async function ensureBenchImages(root: string, dir: string): Promise<string[]> {
  const paths = BENCH_IMAGE_FILES.map((f) => join(dir, f));
  const missing = await Promise.all(paths.map((p) => access(p).then(() => false, () => true)));
  if (missing.some(Boolean)) {
    await promisify(execFile)(process.execPath, ['--conditions=@lvr/source', '--import', 'tsx', join(root, 'bench/preprocess.ts'), '--reps=1', '--warmup=0', `--write-dir=${dir}`], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    for (const p of paths) await access(p).catch((cause: unknown) => { throw new LvrError('IO_ERROR', `bench/preprocess.ts did not write ${p}`, { cause }); });
  }
  return paths;
}

/** Median images/s of @lvr/data's `loadImage(path)` + `preprocessImage` with one resize engine. */
export async function lvrImagesPerSecond(path: string, engine: ResizeEngine, reps: number, warmup = 2): Promise<{ perSecond: number; rows: number }> {
  const opts = resolvePreprocessOptions({ ...STAGE1_PIXELS, resizeEngine: engine });
  let rows = 0;
  const times: number[] = [];
  for (let r = 0; r < warmup + reps; r++) {
    const t0 = performance.now();
    const p = await preprocessImage(await loadImage(path), opts);
    const ms = performance.now() - t0;
    rows = p.rows;
    if (r >= warmup) times.push(ms);
  }
  return { perSecond: 1000 / median(times), rows };
}

/**
 * Times every file on both sides (@lvr/data in this process, then preprocess.py with `--repeat reps`).
 *
 * @throws LvrError `SHAPE_MISMATCH` when the two pipelines disagree on the number of rows of a file.
 * @example
 * const rows = await comparePreprocessing(process.cwd(), await ensureBenchImages(process.cwd(), '/tmp/lvr-bench/images'), 15);
 */
export async function comparePreprocessing(root: string, files: readonly string[], reps: number): Promise<PreprocessComparison[]> {
  const out: PreprocessComparison[] = [];
  for (const file of files) {
    const lvr = {} as Record<ResizeEngine, number>;
    let rows = 0;
    for (const engine of RESIZE_ENGINES) {
      const r = await lvrImagesPerSecond(file, engine, reps);
      lvr[engine] = r.perSecond;
      rows = r.rows;
    }
    const script = join(root, 'tools/pil-reference/preprocess.py');
    const j = await runPythonJson(script, [file, '--min-pixels', String(STAGE1_PIXELS.minPixels), '--max-pixels', String(STAGE1_PIXELS.maxPixels), '--repeat', String(reps)]);
    const pyRows = num(j, 'rows', `preprocess.py ${file}`);
    if (pyRows !== rows) throw new LvrError('SHAPE_MISMATCH', `${file}: @lvr/data made ${rows} rows, preprocess.py ${pyRows}`);
    out.push({ file, lvr, pil: num(j, 'images_per_second', `preprocess.py ${file}`), rows });
  }
  return out;
}

/**
 * `npm run bench`: speed of @lvr against the PyTorch reference and PIL, measured in one run (issue 7 item 5).
 *
 *  1. a demo-size model folder (random init, the recipes' tokenizer) and its ONNX export, created once in --dir;
 *  2. peak: one large rank-2 fp32 matmul on tfjs-wasm (PyTorch's comes from bench_train.py);
 *  3. cached decode, ms/token and latent steps/s at batch 1 and 8, context 64/256/1024: ORT and tfjs-wasm in this
 *     process, PyTorch through tools/torch-reference/bench_decode.py (KV cache checked against the full forward);
 *  4. one training step at demo size (B=32, L=64, 16 image tokens; full and LM-only): the library trainer on
 *     tfjs-wasm vs tools/torch-reference/bench_train.py, plus achieved GFLOP/s from an analytic FLOP count;
 *  5. preprocessing images/s: @lvr/data vs tools/pil-reference/preprocess.py on the same files.
 * PyTorch runs with torch.set_num_threads(1) and OpenBLAS's own threads (2 here), with OPENBLAS_CORETYPE and
 * OPENBLAS_L2_SIZE removed from that child's environment only. Every figure is a median of several repetitions;
 * progress goes to stderr, the machine line, /proc/loadavg before and after and ONE markdown ratio table to stdout.
 *
 * Everything runs in ROUNDS rounds (default 3, 1 with --quick); each reported figure is the median over rounds.
 *
 * Run: npm run bench [-- --quick] [-- --skip-torch] [-- --rounds=N] [-- --dir=DIR] [-- --ort-threads=N] [-- --json=FILE]
 */
import { cpus, tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LvrError, Rng, writeJsonAtomic } from '@lvr/core';
import { TfjsStepModel, initBackend, loadModel, type ModelConfig } from '@lvr/model';
import { OrtStepModel } from '@lvr/model/onnx';
import { ensureBenchModel } from './bench-model.js';
import { LoadMeter } from './machine-load.js';
import { timeDecode, type DecodeTiming } from './decode-timing.js';
import { tfjsMatmulPeak, trainStepFlops, type TrainFlops } from './flops.js';
import { comparePreprocessing, ensureBenchImages } from './pil-compare.js';
import { ratioRows, ratioTable, type BenchResults } from './report.js';
import { combineRounds } from './rounds.js';
import { runTorchDecode, runTorchTrain } from './torch-reference.js';
import { TRAIN_GRID, textIds, timeTrainStep, type TrainCase, type TrainTiming } from './train-timing.js';

const FLAGS = ['--quick', '--skip-torch'];
const OPTIONS = ['--rounds=', '--dir=', '--ort-threads=', '--json='];
for (const a of process.argv.slice(2)) {
  if (!FLAGS.includes(a) && !OPTIONS.some((o) => a.startsWith(o))) {
    throw new LvrError('INVALID_ARGUMENT', `bench/run.ts: unknown argument "${a}" (flags: ${FLAGS.join(' ')}; options: ${OPTIONS.map((o) => `${o}…`).join(' ')})`);
  }
}
const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const has = (name: string): boolean => process.argv.includes(`--${name}`);
const positiveInt = (name: string, fallback: number): number => {
  const v = Number(arg(name) ?? fallback);
  if (!(Number.isInteger(v) && v > 0)) throw new LvrError('INVALID_ARGUMENT', `--${name} must be a positive integer, got ${arg(name)}`);
  return v;
};
const QUICK = has('quick');
const SKIP_TORCH = has('skip-torch');
const ROOT = resolve(import.meta.dirname, '..');
const DIR = resolve(arg('dir') ?? join(tmpdir(), 'lvr-bench'));
const ORT_THREADS = positiveInt('ort-threads', 1);
const JSON_OUT = arg('json');
const REPS = QUICK ? { decode: 3, train: 3, trainWarmup: 2, preprocess: 5, peak: 3 } : { decode: 15, train: 9, trainWarmup: 3, preprocess: 15, peak: 9 };
const ROUNDS = positiveInt('rounds', QUICK ? 1 : 3);
const BATCHES = [1, 8];
const CONTEXTS = [64, 256, 1024];
const TRAIN = { batch: 32, length: 64 };
const PEAK_N = 1024;

const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');
const t00 = performance.now();
const progress = (msg: string): void => { process.stderr.write(`[bench ${((performance.now() - t00) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`); };

const loadBefore = loadavg();
const meter = new LoadMeter();
await initBackend({ prefer: 'wasm' });
progress(`model folder in ${DIR}`);
const paths = await ensureBenchModel(DIR);
const { model } = await loadModel(paths.modelDir);
const cfg: Readonly<ModelConfig> = model.config;

let torchVersion: string | undefined;
let torchThreads: Readonly<Record<string, unknown>> = {};
let verifyMaxAbsDiff: number | undefined;
const torchTrainOpts = { reps: REPS.train, warmup: REPS.trainWarmup, ...TRAIN, root: ROOT };
const ids = textIds(cfg);
const flopsFor = (headRows: number): Record<TrainCase, TrainFlops> => {
  const x = { ...TRAIN, patchesPerImage: TRAIN_GRID.t * TRAIN_GRID.h * TRAIN_GRID.w, headRows };
  return { full: trainStepFlops(cfg, { ...x, vision: true }), lm: trainStepFlops(cfg, { ...x, vision: false }) };
};
const ort = await OrtStepModel.create(paths.onnxDir, { intraOpNumThreads: ORT_THREADS });
const tfjsStep = new TfjsStepModel(model);
// Untimed pass first: wasm tier-up and ORT's first runs would otherwise land in the first case.
for (const sm of [ort, tfjsStep]) await timeDecode(sm, { batch: 1, context: 64, reps: 10, textIds: ids, rng: new Rng(0) });
const images = await ensureBenchImages(ROOT, join(DIR, 'images'));

/** One round: peak, decode, train step, preprocessing; ORT / tfjs / the reference back to back per case. */
async function round(r: number): Promise<BenchResults> {
  const tag = ROUNDS > 1 ? `round ${r + 1}/${ROUNDS}: ` : '';
  progress(`${tag}matmul peak ${PEAK_N}³: tfjs-${tf.getBackend()}${SKIP_TORCH ? '' : ', then PyTorch'}`);
  const peak = await meter.section('peak', async () => {
    const tfjsPeak = tfjsMatmulPeak(PEAK_N, REPS.peak);
    if (SKIP_TORCH) return { tfjs: tfjsPeak };
    const t = await runTorchTrain(paths.modelDir, { ...torchTrainOpts, reps: REPS.peak, peakN: PEAK_N, cases: [] });
    torchVersion = t.torch;
    torchThreads = t.threads;
    return { tfjs: tfjsPeak, torch: t.peak };
  });

  progress(`${tag}decode: ORT (intraOpNumThreads ${ORT_THREADS}), tfjs${SKIP_TORCH ? '' : ', PyTorch'}; batches ${BATCHES} × contexts ${CONTEXTS}, median of ${REPS.decode}`);
  const decOrt: DecodeTiming[] = [];
  const decTfjs: DecodeTiming[] = [];
  const decTorch: DecodeTiming[] = [];
  await meter.section('decode', async () => {
    for (const batch of BATCHES) {
      for (const context of CONTEXTS) {
        const rng = (): Rng => new Rng(batch * 10_000 + context);
        const o = await timeDecode(ort, { batch, context, reps: REPS.decode, textIds: ids, rng: rng() });
        const t = await timeDecode(tfjsStep, { batch, context, reps: REPS.decode, textIds: ids, rng: rng() });
        decOrt.push(o);
        decTfjs.push(t);
        let line = `  B=${batch} ctx=${context}: ORT ${o.tokenMs.toFixed(2)}, tfjs ${t.tokenMs.toFixed(2)}`;
        if (!SKIP_TORCH) {
          const verify = verifyMaxAbsDiff === undefined;
          const res = await runTorchDecode(paths.modelDir, { reps: REPS.decode, root: ROOT, batches: [batch], contexts: [context], verify });
          if (res.verifyMaxAbsDiff !== undefined) verifyMaxAbsDiff = res.verifyMaxAbsDiff;
          decTorch.push(...res.results);
          line += `, PyTorch ${res.results[0]?.tokenMs.toFixed(2)}`;
        }
        progress(`${line} ms/token`);
      }
    }
  });

  progress(`${tag}train step: tfjs-${tf.getBackend()}${SKIP_TORCH ? '' : ' and PyTorch'}, B=${TRAIN.batch}, L=${TRAIN.length}, median of ${REPS.train} after ${REPS.trainWarmup}`);
  const trainTfjs: TrainTiming[] = [];
  const trainTorch: Partial<Record<TrainCase, number>> = {};
  await meter.section('train', async () => {
    for (const c of ['full', 'lm'] as const) {
      const t = await timeTrainStep(model, c, { ...TRAIN, reps: REPS.train, warmup: REPS.trainWarmup });
      trainTfjs.push(t);
      let line = `  ${c}: tfjs ${t.ms.toFixed(0)} ms (tensors ${t.tensorsBefore} → ${t.tensorsAfter})`;
      if (!SKIP_TORCH) {
        trainTorch[c] = (await runTorchTrain(paths.modelDir, { ...torchTrainOpts, peakN: 0, cases: [c] })).cases[c]?.ms;
        line += `, PyTorch ${trainTorch[c]?.toFixed(0)} ms`;
      }
      progress(line);
    }
  });

  progress(`${tag}preprocessing: @lvr/data vs PIL + numpy, median of ${REPS.preprocess}`);
  const preprocess = await meter.section('preprocessing', () => comparePreprocessing(ROOT, images, REPS.preprocess));
  return {
    decode: { ort: decOrt, tfjs: decTfjs, torch: SKIP_TORCH ? undefined : decTorch },
    train: { ...TRAIN, tfjs: trainTfjs, torch: SKIP_TORCH ? undefined : trainTorch, flops: flopsFor(trainTfjs[0]?.headRows ?? 0) },
    preprocess,
    peak,
  };
}

const perRound: BenchResults[] = [];
for (let r = 0; r < ROUNDS; r++) perRound.push(await round(r));
await ort.dispose();
model.dispose();
const results = combineRounds(perRound);
const loadAfter = loadavg();
const ortVersion = (JSON.parse(readFileSync(join(ROOT, 'node_modules/onnxruntime-node/package.json'), 'utf8')) as { version: string }).version;
const torchLine = torchVersion === undefined ? 'PyTorch skipped' : `torch ${torchVersion}, set_num_threads(${String(torchThreads.torch_threads)}), OPENBLAS_NUM_THREADS=${String(torchThreads.OPENBLAS_NUM_THREADS ?? 'unset')}, OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset`;
process.stdout.write(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; node ${process.version}; tfjs ${tf.version.tfjs} (${tf.getBackend()}); onnxruntime-node ${ortVersion} (intraOpNumThreads ${ORT_THREADS}); ${torchLine}\n` +
    `model: ${paths.modelDir}${paths.reused ? ' (reused)' : ''}: d=${cfg.hiddenSize}, ${cfg.numLayers} layers, ${cfg.numHeads} heads, V=${cfg.vocabSize}, ViT d=${cfg.vision.hiddenSize} depth ${cfg.vision.depth}` +
    `${verifyMaxAbsDiff === undefined ? '' : `; PyTorch KV cache vs full forward max |Δ| ${verifyMaxAbsDiff.toExponential(1)}`}\n` +
    `repetitions: ${ROUNDS} round(s), each figure the median over rounds of per-round medians of decode ${REPS.decode}, train ${REPS.train} (after ${REPS.trainWarmup}), preprocessing ${REPS.preprocess}, peak ${REPS.peak}; wall ${((performance.now() - t00) / 1000).toFixed(0)} s\n` +
    `loadavg before: ${loadBefore}; after: ${loadAfter}\n` +
    `sections (wall time, average cores used by the benchmark / by other processes): ${meter.summary()}\n\n` +
    `${ratioTable(ratioRows(results))}\n`,
);
if (JSON_OUT) await writeJsonAtomic(resolve(JSON_OUT), { loadBefore, loadAfter, sections: meter.sections, quick: QUICK, rounds: ROUNDS, ortThreads: ORT_THREADS, torchVersion, torchThreads, verifyMaxAbsDiff, results, perRound });

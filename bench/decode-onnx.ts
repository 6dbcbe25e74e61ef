/**
 * ONNX Runtime vs tfjs decoding on the same weights (not a test): exports the model to a temporary ONNX folder,
 * checks parity (max |Δ| of logits / hidden over a prefill with an image and 8 mixed token/latent steps, and
 * identical greedy `fixed:4` generations), then times one cached decode step (token and latent) at batch 1 and 8
 * and contexts 64 / 256 / 1024 on both backends. Medians of several repetitions, measured in one process.
 *
 * Run: node --conditions=@lvr/source --import tsx bench/decode-onnx.ts [--model=DIR] [--reps=N] [--threads=N]
 * (without --model: a random demo-size model; with it: e.g. a trained runs/…/lvr checkpoint).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@lvr/core';
import { generate, type StepInput, type StepModel } from '@lvr/decoding';
import { initBackend } from '../packages/model/src/backend.js';
import { patchRowWidth, resolveModelConfig } from '../packages/model/src/config.js';
import { TfjsStepModel } from '../packages/model/src/inference/tfjs-step-model.js';
import { MiniQwenVL } from '../packages/model/src/models/vlm.js';
import { loadModel } from '../packages/model/src/recipes/model-io.js';
import { MODEL_SIZES } from '../packages/model/src/recipes/sizes.js';
import { writeOnnxFolder } from '../packages/model/src/onnx/export.js';
import { OrtStepModel } from '../packages/model/src/onnx/ort-step-model.js';

const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const reps = Number(arg('reps') ?? 5);
const threads = Number(arg('threads') ?? 1);
const modelDir = arg('model');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const maxAbs = (a: Float32Array, b: Float32Array): number => a.reduce((m, x, i) => Math.max(m, Math.abs(x - (b[i] as number))), 0);

await initBackend({ prefer: 'wasm' });
const loaded = modelDir ? await loadModel(modelDir) : undefined;
const model = loaded?.model
  ?? MiniQwenVL.create(resolveModelConfig({ ...MODEL_SIZES.demo, vocabSize: 160, tokens: { padId: 0, imagePadId: 1, visionStartId: 2, visionEndId: 3, eosId: 4, lvrStartId: 5, lvrId: 6, lvrLatentEndId: 7, lvrEndId: 8, latentIds: [] } }), { seed: 0 });
const cfg = model.config;
const tokenizerJson = loaded?.tokenizerJson ?? {};
const dir = await mkdtemp(join(tmpdir(), 'lvr-bench-onnx-'));
await writeOnnxFolder(model, tokenizerJson, dir);
const tfjs = new TfjsStepModel(model);
const ort = await OrtStepModel.create(dir, { intraOpNumThreads: threads });
const rng = new Rng(1);
const textId = (): number => 20 + rng.int(cfg.vocabSize - 20);

// 1. parity: a 64-px image (grid 1×8×8 → 16 tokens) inside a prompt that ends with <|lvr_start|>.
const t = cfg.tokens;
const grid = { t: 1, h: 8, w: 8 };
const image = { pixelValues: Float32Array.from({ length: 64 * patchRowWidth(cfg.vision) }, () => rng.normal()), gridThw: grid };
const prompt = Int32Array.from([textId(), textId(), t.visionStartId, ...new Array<number>(16).fill(t.imagePadId), t.visionEndId, textId(), textId(), textId(), t.lvrStartId]);
const rows = [{ inputIds: prompt, images: [image] }];
const [pa, pb] = [await tfjs.prefill(rows), await ort.prefill(rows)];
let dLogits = maxAbs(pa.logits, pb.logits);
let dHidden = maxAbs(pa.hidden, pb.hidden);
let latent = pa.latent;
for (let k = 0; k < 8; k++) {
  const inp: StepInput[] = [k % 3 === 2 ? { kind: 'token', id: textId() } : { kind: 'embedding', vector: latent }];
  const [a, b] = [await tfjs.step(pa.cache, inp), await ort.step(pb.cache, inp)];
  dLogits = Math.max(dLogits, maxAbs(a.logits, b.logits));
  dHidden = Math.max(dHidden, maxAbs(a.hidden, b.hidden));
  latent = a.latent;
}
tfjs.release(pa.cache);
ort.release(pb.cache);
const gen = (m: StepModel) => generate(m, [{ prompt: rows[0]!, seed: 0 }], { strategy: { kind: 'fixed', steps: 4 }, sampler: { kind: 'greedy' }, maxNewTokens: 24, seed: 0 });
const [ga, gb] = [(await gen(tfjs))[0]!, (await gen(ort))[0]!];
const sameTokens = JSON.stringify(ga.outputIds) === JSON.stringify(gb.outputIds);
const sameSpans = JSON.stringify(ga.latentSpans.map((s) => [s.start, s.steps, s.stopReason])) === JSON.stringify(gb.latentSpans.map((s) => [s.start, s.steps, s.stopReason]));

// 2. decode latency.
const load = readFileSync('/proc/loadavg', 'utf8').trim();
const lines: string[] = [];
for (const batch of [1, 8]) {
  for (const ctxLen of [64, 256, 1024]) {
    const prompts = Array.from({ length: batch }, () => ({ inputIds: Int32Array.from({ length: ctxLen }, textId) }));
    const cells: string[] = [];
    for (const sm of [ort, tfjs] as StepModel[]) {
      const t0 = performance.now();
      const pre = await sm.prefill(prompts);
      const prefillMs = performance.now() - t0;
      const tokenMs: number[] = [];
      const latentMs: number[] = [];
      let lat = pre.latent;
      for (let r = 0; r < reps + 2; r++) {
        let s0 = performance.now();
        const a = await sm.step(pre.cache, prompts.map(() => ({ kind: 'token' as const, id: 20 })));
        const t1 = performance.now() - s0;
        lat = a.latent;
        s0 = performance.now();
        await sm.step(pre.cache, prompts.map((_, i) => ({ kind: 'embedding' as const, vector: lat.slice(i * cfg.hiddenSize, (i + 1) * cfg.hiddenSize) })));
        const t2 = performance.now() - s0;
        if (r >= 2) { tokenMs.push(t1); latentMs.push(t2); }
      }
      sm.release(pre.cache);
      cells.push(median(tokenMs).toFixed(2), median(latentMs).toFixed(2), prefillMs.toFixed(0));
    }
    lines.push(`| ${batch} | ${ctxLen} | ${cells.join(' | ')} | ${(Number(cells[3]) / Number(cells[0])).toFixed(1)}× |`);
  }
}

console.log(`model: ${modelDir ?? 'random demo-size'} (d=${cfg.hiddenSize}, ${cfg.numLayers} layers, V=${cfg.vocabSize}); ORT intraOpNumThreads=${threads}; tfjs-${tf.getBackend()}`);
console.log(`parity over prefill (image) + 8 steps: max|Δlogits| = ${dLogits.toExponential(2)}, max|Δhidden| = ${dHidden.toExponential(2)}; greedy fixed:4 tokens identical: ${sameTokens}, latent spans identical: ${sameSpans} (${ga.latentSpans.length} span(s))`);
console.log(`median of ${reps}; loadavg before: ${load}`);
console.log('| batch | context | ORT ms/step (token) | ORT ms/step (latent) | ORT prefill ms | tfjs ms/step (token) | tfjs ms/step (latent) | tfjs prefill ms | tfjs ÷ ORT (token) |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const l of lines) console.log(l);
console.log(`loadavg after: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
await ort.dispose();
model.dispose();
await rm(dir, { recursive: true, force: true });

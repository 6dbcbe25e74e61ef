/**
 * Decode latency of the tfjs step model (not a test): per-step time with the KV cache at context 64, 256 and
 * 1024 vs full recomputation (one forward over the whole context, what a cache-less loop would do), at batch 1
 * and 8, on the demo-size model; tokens/s and latent steps/s. Medians of several repetitions, measured in one
 * process so load changes hit all cases alike.
 *
 * Run: node --conditions=@lvr/source --import tsx bench/decode.ts [--reps=N]
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@lvr/core';
import { initBackend } from '../packages/model/src/backend.js';
import { resolveModelConfig } from '../packages/model/src/config.js';
import { MiniQwenVL } from '../packages/model/src/models/vlm.js';
import { MODEL_SIZES } from '../packages/model/src/recipes/sizes.js';
import { TfjsStepModel } from '../packages/model/src/inference/tfjs-step-model.js';

const reps = Number(process.argv.find((a) => a.startsWith('--reps='))?.slice(7) ?? 7);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

await initBackend({ prefer: 'wasm' });
const size = MODEL_SIZES.demo;
const cfg = resolveModelConfig({ ...size, vocabSize: 160, tokens: { padId: 0, imagePadId: 1, visionStartId: 2, visionEndId: 3, eosId: 4, lvrStartId: 5, lvrId: 6, lvrLatentEndId: 7, lvrEndId: 8, latentIds: [] } });
const model = MiniQwenVL.create(cfg, { seed: 0 });
const sm = new TfjsStepModel(model);
const rng = new Rng(1);
const load = readFileSync('/proc/loadavg', 'utf8').trim();
const rows: string[] = [];
for (const batch of [1, 8]) {
  for (const ctxLen of [64, 256, 1024]) {
    const prompts = Array.from({ length: batch }, () => ({ inputIds: Int32Array.from({ length: ctxLen }, () => 10 + rng.int(150)) }));
    const pre = await sm.prefill(prompts);
    const tokenMs: number[] = [];
    const latentMs: number[] = [];
    let latent = pre.latent;
    for (let r = 0; r < reps + 2; r++) {
      let t0 = performance.now();
      const a = await sm.step(pre.cache, prompts.map(() => ({ kind: 'token' as const, id: 20 })));
      const t1 = performance.now() - t0;
      latent = a.latent;
      t0 = performance.now();
      await sm.step(pre.cache, prompts.map((_, i) => ({ kind: 'embedding' as const, vector: latent.slice(i * cfg.hiddenSize, (i + 1) * cfg.hiddenSize) })));
      const t2 = performance.now() - t0;
      if (r >= 2) { tokenMs.push(t1); latentMs.push(t2); }
    }
    sm.release(pre.cache);
    // Full recomputation: one forward over the whole context (+1) per generated position.
    const full: number[] = [];
    const ids = new Int32Array(batch * (ctxLen + 1)).fill(20);
    const pos = new Int32Array(3 * batch * (ctxLen + 1));
    for (let a = 0; a < 3; a++) for (let b = 0; b < batch; b++) for (let t = 0; t <= ctxLen; t++) pos[a * batch * (ctxLen + 1) + b * (ctxLen + 1) + t] = t;
    for (let r = 0; r < Math.max(3, Math.floor(reps / 2)); r++) {
      const t0 = performance.now();
      tf.tidy(() => { const { hidden } = model.forward({ batch, length: ctxLen + 1, inputIds: ids, positionIds: pos }); model.logits(hidden.slice([ctxLen, 0], [1, cfg.hiddenSize])).dataSync(); });
      full.push(performance.now() - t0);
    }
    const tok = median(tokenMs), lat = median(latentMs), rec = median(full);
    rows.push(`| ${batch} | ${ctxLen} | ${tok.toFixed(2)} | ${lat.toFixed(2)} | ${rec.toFixed(1)} | ${(rec / tok).toFixed(1)}× | ${((1000 * batch) / tok).toFixed(0)} | ${((1000 * batch) / lat).toFixed(0)} |`);
  }
}
console.log(`tfjs-${tf.getBackend()} decode, demo-size model (d=${cfg.hiddenSize}, ${cfg.numLayers} layers); median of ${reps}; loadavg before: ${load}`);
console.log('| batch | context | ms/step (token, cached) | ms/step (latent, cached) | ms/step full recompute | recompute ÷ cached | tokens/s | latent steps/s |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(`loadavg after: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
model.dispose();

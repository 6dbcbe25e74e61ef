import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { generateSuite } from '@lvr/data';
import { initBackend } from '../backend.js';
import { maxAbsDiff, tinyConfig } from '../testing.js';
import { MiniQwenVL } from '../models/vlm.js';
import { addLora, mergeLora } from './lora.js';
import { pretrainBase } from './pretrain.js';
import { finetune } from './finetune.js';
import { loadModel } from './model-io.js';

const ids = Int32Array.from([20, 21, 22, 23, 24]);
const pos = new Int32Array(15).map((_, i) => i % 5);
const logits = (m: MiniQwenVL): number[] => tf.tidy(() => Array.from(m.logits(m.forward({ batch: 1, length: 5, inputIds: ids, positionIds: pos }).hidden).dataSync()));

describe('LoRA (LIVR parameter-efficient option)', () => {
  beforeAll(async () => { await initBackend({ prefer: 'wasm' }); });

  it('adapters start as a no-op, change the output once B moves, and merge exactly into the weights', () => {
    const base = MiniQwenVL.create(tinyConfig(), { seed: 1 });
    const before = logits(base);
    const lora = addLora(base, { r: 2, alpha: 4, targets: ['q', 'v'] }, 3);
    expect(maxAbsDiff(logits(lora), before)).toBeLessThan(1e-6);
    const rng = new Rng(9);
    for (const [name, e] of lora.params) {
      if (name.endsWith('lora_B')) e.variable.assign(tf.tensor(Float32Array.from({ length: e.variable.size }, () => rng.normal() * 0.3), e.variable.shape));
    }
    const adapted = logits(lora);
    expect(maxAbsDiff(adapted, before)).toBeGreaterThan(1e-4);
    const merged = mergeLora(lora);
    expect(merged.config.lora).toBeNull();
    expect([...merged.params.keys()].some((k) => k.includes('lora'))).toBe(false);
    expect(maxAbsDiff(logits(merged), adapted)).toBeLessThan(1e-5);
    merged.dispose();
  });

  it('LIVR latents+LoRA fine-tuning changes only the latent embedding rows (and, through the merge, attention weights)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lvr-lora-'));
    try {
      const s = await generateSuite({ outDir: join(dir, 'suite'), seed: 2, trainCount: 8, testCount: 4 });
      const b = await pretrainBase({ tokenizerPath: s.paths.tokenizer, outDir: join(dir, 'base'), steps: 1, batchSize: 2, size: 'tiny', numLatents: 4, trainer: { lossCurve: false } });
      const e0 = Array.from(b.model.params.get('model.embed_tokens.weight')!.variable.dataSync());
      const latentIds = b.model.config.tokens.latentIds;
      b.model.dispose();
      const r = await finetune({ mode: 'livr', baseDir: join(dir, 'base'), data: join(dir, 'suite'), outDir: join(dir, 'livr'), steps: 3, batchSize: 2, numLatents: 4, lr: 0.05, latentsAndLora: { r: 2, alpha: 4 }, trainer: { lossCurve: false } });
      const d = r.model.config.hiddenSize;
      const e1 = Array.from(r.model.params.get('model.embed_tokens.weight')!.variable.dataSync());
      const changedRows = new Set<number>();
      e1.forEach((v, i) => { if (Math.abs(v - (e0[i] as number)) > 0) changedRows.add(Math.floor(i / d)); });
      expect([...changedRows].every((row) => latentIds.includes(row))).toBe(true);
      expect(changedRows.size).toBeGreaterThan(0);
      expect(r.model.config.lora).toBeNull(); // merged before saving
      const saved = await loadModel(join(dir, 'livr'));
      expect(saved.training?.latentsAndLora).toEqual({ r: 2, alpha: 4 });
      saved.model.dispose();
      r.model.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

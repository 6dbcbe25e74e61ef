import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm, writeFile, readFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { SYSTEM_MESSAGE, createWordLevelTokenizerJson, suiteWords, generateSuite } from '@lvr/data';
import { initBackend } from '../backend.js';
import { computeLoss, resolveObjective } from '../training/objectives.js';
import { loadModel } from './model-io.js';
import { pretrainBase } from './pretrain.js';
import { finetune } from './finetune.js';
import { captionBatch } from './pretrain-data.js';

let dir = '';
beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'lvr-recipes-'));
  const tok = createWordLevelTokenizerJson({ words: suiteWords(4, [SYSTEM_MESSAGE]), extraSpecialTokens: ['<answer>', '</answer>'] });
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tok));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const small = { size: 'tiny' as const, batchSize: 4, numLatents: 4, caption: { maxObjects: 4 }, trainer: { lossCurve: false, logEvery: 100 } };

async function weights(path: string): Promise<Buffer> {
  return readFile(join(path, 'model.safetensors'));
}

describe('recipes', () => {
  it('an interrupted and resumed pre-training run ends with the same weights as an uninterrupted one', async () => {
    const a = await pretrainBase({ ...small, tokenizerPath: dir, outDir: join(dir, 'a'), steps: 4 });
    a.model.dispose();
    const ctrl = new AbortController();
    const b1 = await pretrainBase({
      ...small, tokenizerPath: dir, outDir: join(dir, 'b'), steps: 4, signal: ctrl.signal,
      onProgress: (e) => { if (e.status === 'progress' && e.task === 'train' && e.done >= 2) ctrl.abort(); },
    });
    expect(b1.train.stoppedEarly).toBe(true);
    expect(b1.train.step).toBe(2);
    b1.model.dispose();
    const b2 = await pretrainBase({ ...small, tokenizerPath: dir, outDir: join(dir, 'b'), steps: 4, resumeFrom: join(dir, 'b') });
    expect(b2.train.step).toBe(4);
    b2.model.dispose();
    expect((await weights(join(dir, 'a'))).equals(await weights(join(dir, 'b')))).toBe(true);
  });

  it('save → load gives identical logits, and the folder is HF-style', async () => {
    const r = await pretrainBase({ ...small, tokenizerPath: dir, outDir: join(dir, 'c'), steps: 1 });
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'metrics.jsonl']) await access(join(dir, 'c', f));
    const loaded = await loadModel(join(dir, 'c'));
    const batch = captionBatch(r.model.config, r.tokenizer, new Rng(5), 2, { maxObjects: 3 });
    const obj = resolveObjective({ kind: 'base' });
    const l1 = tf.tidy(() => computeLoss(r.model, batch, obj).loss.dataSync()[0]);
    const l2 = tf.tidy(() => computeLoss(loaded.model, batch, obj).loss.dataSync()[0]);
    expect(l2).toBe(l1);
    const h1 = tf.tidy(() => Array.from(r.model.logits(r.model.forward({ ...batch, visualTokens: undefined }).hidden).dataSync()));
    const h2 = tf.tidy(() => Array.from(loaded.model.logits(loaded.model.forward({ ...batch, visualTokens: undefined }).hidden).dataSync()));
    expect(h2).toEqual(h1);
    r.model.dispose();
    loaded.model.dispose();
  });

  it('fine-tunes SFT, LVR and LIVR from one base on the same records; LVR reports its regression loss', async () => {
    const suite = join(dir, 'suite');
    const s = await generateSuite({ outDir: suite, seed: 3, trainCount: 16, testCount: 4 });
    const tokPath = s.paths.tokenizer;
    const base = await pretrainBase({ ...small, tokenizerPath: tokPath, outDir: join(dir, 'base'), steps: 1 });
    base.model.dispose();
    for (const mode of ['sft', 'lvr', 'livr'] as const) {
      const r = await finetune({ mode, baseDir: join(dir, 'base'), data: suite, outDir: join(dir, mode), steps: 2, batchSize: 4, numLatents: 4, trainer: { lossCurve: false } });
      const last = r.train.history.at(-1)!;
      expect(Number.isFinite(last.loss as number)).toBe(true);
      if (mode === 'lvr') expect(Number.isFinite(last['loss/lvr'] as number)).toBe(true);
      else expect(last['loss/lvr']).toBeUndefined();
      // the frozen vision tower did not move
      const v0 = (await loadModel(join(dir, 'base'))).model;
      const same = tf.tidy(() => tf.max(tf.abs(tf.sub(v0.params.get('visual.merger.mlp.2.weight')!.variable, r.model.params.get('visual.merger.mlp.2.weight')!.variable))).dataSync()[0]);
      expect(same).toBe(0);
      v0.dispose();
      r.model.dispose();
    }
  });
});

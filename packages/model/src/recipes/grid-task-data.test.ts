import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { LvrTokenizer, SYSTEM_MESSAGE, addLivrLatentTokens, createWordLevelTokenizerJson, addCellCodes, drawChase, suiteWords, symbolTokens } from '@lvr/data';
import { initBackend } from '../backend.js';
import { MiniQwenVL } from '../models/vlm.js';
import { gridFinetune } from './grid-finetune.js';
import { centredTokenScale, gridBatch, gridCodebook, gridSequence } from './grid-task-data.js';
import { initBase } from './init-base.js';
import { modelConfigFor } from './model-config.js';
import { loadModel } from './model-io.js';
import { MODEL_SIZES } from './sizes.js';

let dir = '';
const tokJson = addLivrLatentTokens(createWordLevelTokenizerJson({ words: suiteWords(4, [SYSTEM_MESSAGE]), extraSpecialTokens: ['<answer>', '</answer>'] }), 16);
const tokenizer = LvrTokenizer.fromJson(tokJson);
beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'lvr-grid-'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('grid task training data', () => {
  it('builds one span of k latents whose targets are the hop cells in hop order', () => {
    const c = modelConfigFor(MODEL_SIZES.tiny, tokenizer);
    const item = drawChase(new Rng(5), { hops: 3 });
    const seq = gridSequence(c, tokenizer, item, 'lvr');
    expect(seq.lvrGroups).toEqual([[...item.chain]]);
    const sft = gridSequence(c, tokenizer, item, 'sft');
    expect(sft.lvrGroups).toEqual([]);
  });

  it('puts the codebook tokens of each board in the perception-free batch and maps every latent to its hop cell', () => {
    const model = MiniQwenVL.create(modelConfigFor(MODEL_SIZES.tiny, tokenizer), { seed: 0 });
    try {
      const cb = gridCodebook(model.config, { seed: 3, scale: 1 });
      const task = { kind: 'chase' as const, hops: [2], legend: false };
      const b = gridBatch(model, tokenizer, new Rng(9), { task, view: 'symbols', format: 'lvr', batchSize: 3, codebook: cb });
      // The same Rng stream draws the same items (k first, then the board): check the first item.
      const rng = new Rng(9);
      rng.int(1);
      const first = drawChase(rng, { hops: 2 });
      const d = model.config.hiddenSize;
      expect([...b.visualTokens!.subarray(0, 16 * d)]).toEqual([...symbolTokens(cb, first.symbols, first.markedCell)]);
      expect([...b.lvr!.visualRows.subarray(0, 2)]).toEqual([...first.chain]);
      expect(b.lvr!.positions.length).toBe(6);
    } finally {
      model.dispose();
    }
  });

  it('adds each cell\'s position code to the vision tower\'s tokens in the pixels-cell batch', () => {
    const model = MiniQwenVL.create(modelConfigFor(MODEL_SIZES.tiny, tokenizer), { seed: 0 });
    try {
      const cb = gridCodebook(model.config, { seed: 3, scale: 1 });
      const task = { kind: 'chase' as const, hops: [1], legend: false };
      const pix = gridBatch(model, tokenizer, new Rng(4), { task, view: 'pixels', format: 'lvr', batchSize: 2 });
      const coded = gridBatch(model, tokenizer, new Rng(4), { task, view: 'pixels-cell', format: 'lvr', batchSize: 2, codebook: cb });
      expect([...coded.visualTokens!]).toEqual([...addCellCodes(Float32Array.from(pix.visualTokens!), cb, 16)]);
      expect([...coded.visualTokens!]).not.toEqual([...pix.visualTokens!]);
      expect(() => gridBatch(model, tokenizer, new Rng(4), { task, view: 'pixels-cell', format: 'lvr', batchSize: 2 })).toThrow(/needs a codebook/);
      expect(centredTokenScale(model, new Rng(1), 2)).toBeGreaterThan(0);
    } finally {
      model.dispose();
    }
  });

  it('fine-tunes an arm from a fresh base and records task, view, codebook and feedback', async () => {
    await initBase({ tokenizerJson: JSON.parse(JSON.stringify(tokJson)) as Record<string, unknown>, outDir: join(dir, 'base'), size: 'tiny', seed: 1 });
    const r = await gridFinetune({
      baseDir: join(dir, 'base'), outDir: join(dir, 'ptr'), view: 'symbols', steps: 2, batchSize: 2, trainer: { lossCurve: false },
      task: { kind: 'chase', hops: [1, 3], legend: false }, arm: { format: 'lvr', objective: { latentFeedback: 'pointer-argmax' } },
    });
    r.model.dispose();
    const info = JSON.parse(await readFile(join(dir, 'ptr', 'lvr_training.json'), 'utf8')) as Record<string, unknown>;
    expect(info).toMatchObject({ mode: 'lvr', view: 'symbols', latent_feedback: 'pointer-argmax', task: { kind: 'chase', hops: [1, 3] } });
    expect((info.codebook as { scale: number }).scale).toBeGreaterThan(0);
    const pause = await gridFinetune({
      baseDir: join(dir, 'base'), outDir: join(dir, 'pause'), view: 'pixels', steps: 1, batchSize: 2, trainer: { lossCurve: false },
      task: { kind: 'chase', hops: [2], legend: true }, arm: { format: 'lvr', objective: { latentFeedback: 'pause' } },
    });
    pause.model.dispose();
    const loaded = await loadModel(join(dir, 'pause'));
    expect(loaded.model.config.lvr.pauseTokens).toBe(4);
    loaded.model.dispose();
  });
});

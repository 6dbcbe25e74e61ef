import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, isLvrError } from '@lvr/core';
import { getRopeIndex } from '@lvr/data';
import { IGNORE_INDEX, MiniQwenVL, initBackend, resolveModelConfig, type ModelConfig } from '@lvr/model';
import { specialIds, supervisedRows, syntheticTrainBatch, textIds, timeTrainStep } from './train-timing.js';

/** A small model with the demo's 8-px patches and 2×2 merge, so TRAIN_GRID gives 16 image tokens. */
function smallConfig(): Readonly<ModelConfig> {
  return resolveModelConfig({
    hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 24, vocabSize: 40, mropeSection: [1, 1, 2],
    vision: { patchSize: 8, temporalPatchSize: 2, spatialMergeSize: 2, hiddenSize: 16, depth: 1, numHeads: 2, intermediateSize: 24 },
    tokens: { padId: 0, imagePadId: 1, visionStartId: 2, visionEndId: 3, eosId: 4, lvrStartId: 5, lvrId: 6, lvrLatentEndId: 7, lvrEndId: 8, latentIds: [38, 39] },
  });
}

beforeAll(async () => { await initBackend({ prefer: 'wasm' }); });

describe('syntheticTrainBatch', () => {
  it('lays out vision_start, 16 image tokens, vision_end and supervised text, with Qwen M-RoPE positions', () => {
    const c = smallConfig();
    const b = syntheticTrainBatch(c, 3, 24, new Rng(1));
    const special = specialIds(c);
    for (let r = 0; r < 3; r++) {
      const row = b.inputIds.subarray(r * 24, (r + 1) * 24);
      expect(row[0]).toBe(2);
      expect([...row.subarray(1, 17)]).toEqual(new Array(16).fill(1));
      expect(row[17]).toBe(3);
      for (let t = 18; t < 24; t++) {
        expect(special.has(row[t] as number)).toBe(false);
        expect(b.labels[r * 24 + t]).toBe(row[t]);
      }
      expect([...b.labels.subarray(r * 24, r * 24 + 18)].every((l) => l === IGNORE_INDEX)).toBe(true);
      const want = getRopeIndex(row, [{ t: 1, h: 8, w: 8 }], { imagePadId: 1, visionStartId: 2, mergeSize: 2 }).positionIds;
      const got = [0, 1, 2].flatMap((a) => [...b.positionIds.subarray(a * 72 + r * 24, a * 72 + r * 24 + 24)]);
      expect(got).toEqual([...want]);
    }
    expect(b.images).toHaveLength(3);
    expect(b.images![0]!.pixelValues.length).toBe(64 * 3 * 2 * 8 * 8);
    expect(supervisedRows(b)).toBe(3 * 6);
    expect(textIds(c)).toEqual(Array.from({ length: 40 }, (_, i) => i).filter((i) => i > 8 && i < 38));
  });

  it('rejects a length too short for the image', () => {
    let err: unknown;
    try { syntheticTrainBatch(smallConfig(), 2, 18, new Rng(1)); } catch (e) { err = e; }
    expect(isLvrError(err) && err.code === 'INVALID_ARGUMENT' && err.message.includes('length')).toBe(true);
  });
});

describe('timeTrainStep', () => {
  it('runs the trainer, freezes the ViT only for the LM-only case and leaks no tensors', async () => {
    const model = MiniQwenVL.create(smallConfig(), { seed: 0 });
    try {
      const all = [...model.params.values()].reduce((s, e) => s + e.variable.size, 0);
      const full = await timeTrainStep(model, 'full', { batch: 2, length: 24, reps: 2, warmup: 1 });
      expect(full.trainableParams).toBe(all);
      expect(full.timesMs).toHaveLength(2);
      expect(full.ms).toBeGreaterThan(0);
      expect(full.headRows).toBe(2 * 6);
      expect(full.lastLoss).toBeLessThan(full.firstLoss); // it trains: 3 AdamW steps on one batch
      const before = [...model.params.values()].map((e) => e.variable.dataSync().slice());
      const lm = await timeTrainStep(model, 'lm', { batch: 2, length: 24, reps: 1, warmup: 0 });
      const vision = [...model.params.values()].filter((e) => e.module === 'vision' || e.module === 'merger').reduce((s, e) => s + e.variable.size, 0);
      expect(lm.trainableParams).toBe(all - vision);
      const after = [...model.params.values()].map((e) => e.variable.dataSync());
      [...model.params.values()].forEach((e, i) => {
        const changed = after[i]!.some((v, k) => v !== before[i]![k]);
        expect([e.module, changed]).toEqual([e.module, !(e.module === 'vision' || e.module === 'merger')]);
      });
      expect([...model.params.values()].every((e) => e.trainable)).toBe(true);
      expect(lm.tensorsAfter).toBe(lm.tensorsBefore);
      expect(tf.getBackend()).toBe('wasm');
    } finally {
      model.dispose();
    }
  });
});

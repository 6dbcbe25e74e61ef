import { describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { MODEL_SIZES, resolveModelConfig } from '@lvr/model';
import { trainStepFlops } from './flops.js';

const tokens = { padId: 0, imagePadId: 1, visionStartId: 2, visionEndId: 3, eosId: 4, lvrStartId: 5, lvrId: 6, lvrLatentEndId: 7, lvrEndId: 8, latentIds: [] };

describe('trainStepFlops', () => {
  it('matches a hand count of the demo model at the benchmark batch', () => {
    const c = resolveModelConfig({ ...MODEL_SIZES.demo, vocabSize: 120, tokens });
    const f = trainStepFlops(c, { batch: 32, length: 64, patchesPerImage: 64, headRows: 32 * 46, vision: true });
    // LM, per layer: q,k,v,o 4·2·2048·64² = 67,108,864; SwiGLU 3·2·2048·64·176 = 138,412,032; QKᵀ+AV 4·32·64²·64 = 33,554,432
    expect(f.forwardLm).toBe(2 * (67_108_864 + 138_412_032 + 33_554_432));
    expect(f.forwardHead).toBe(2 * 1472 * 64 * 120);
    // ViT: patch embed 2·2048·384·64; block 67,108,864 + 3·2·2048·64·128 + 4·32·64²·64; merger 2·512·256² + 2·512·256·64
    expect(f.forwardVision).toBe(100_663_296 + (67_108_864 + 100_663_296 + 33_554_432) + (67_108_864 + 16_777_216));
    expect(f.forward).toBe(f.forwardLm + f.forwardHead + f.forwardVision);
    expect(f.step).toBe(3 * f.forward);
  });

  it('leaves the ViT out of the LM-only case and scales linearly in the batch', () => {
    const c = resolveModelConfig({ ...MODEL_SIZES.demo, vocabSize: 120, tokens });
    const lm = trainStepFlops(c, { batch: 8, length: 32, patchesPerImage: 64, headRows: 100, vision: false });
    expect(lm.forwardVision).toBe(0);
    const twice = trainStepFlops(c, { batch: 16, length: 32, patchesPerImage: 64, headRows: 200, vision: false });
    expect(twice.step).toBe(2 * lm.step);
  });

  it('rejects a non-integer or negative size', () => {
    const c = resolveModelConfig({ ...MODEL_SIZES.demo, vocabSize: 120, tokens });
    let err: unknown;
    try { trainStepFlops(c, { batch: -1, length: 32, patchesPerImage: 64, headRows: 1, vision: false }); } catch (e) { err = e; }
    expect(isLvrError(err) && err.code === 'INVALID_ARGUMENT' && err.message.includes('batch')).toBe(true);
  });
});

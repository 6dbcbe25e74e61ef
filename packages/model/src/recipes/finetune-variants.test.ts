import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSuite } from '@lvr/data';
import { initBackend } from '../backend.js';
import { pretrainBase } from './pretrain.js';
import { finetune } from './finetune.js';

let dir = '';
beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'lvr-variants-'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('fine-tuning with the LVR variants', () => {
  it('passes InfoNCE, pointer and the self-feeding schedule through finetune (real collated batches, images of the batch)', async () => {
    const suite = join(dir, 'suite');
    const s = await generateSuite({ outDir: suite, seed: 4, trainCount: 16, testCount: 4 });
    const base = await pretrainBase({ size: 'tiny', batchSize: 4, numLatents: 4, caption: { maxObjects: 4 }, trainer: { lossCurve: false }, tokenizerPath: s.paths.tokenizer, outDir: join(dir, 'base'), steps: 1 });
    base.model.dispose();
    const r = await finetune({
      mode: 'lvr', baseDir: join(dir, 'base'), data: suite, outDir: join(dir, 'lvr'), steps: 4, batchSize: 4, latentCount: 2,
      objective: { lvrLambda: 1, lvrLoss: 'infonce', lvrTarget: 'centred', pointerLambda: 1, selfFeed: { from: 0, to: 1, stages: 2 } },
      trainer: { lossCurve: false, logEvery: 1 },
    });
    r.model.dispose();
    const h = r.train.history;
    expect(h.map((m) => m['self_feed/p'])).toEqual([0, 0, 0.5, 0.5]); // two Coconut-style stages over 4 steps
    expect(h.every((m) => Number.isFinite(m['loss/pointer'] as number) && Number.isFinite(m['loss/lvr'] as number))).toBe(true);
    // InfoNCE over a 64-px image's 16 tokens starts near log 16 (not the ~0.5 of a raw MSE).
    expect(h[0]!['loss/lvr'] as number).toBeGreaterThan(1);
    const info = JSON.parse(await readFile(join(dir, 'lvr', 'lvr_training.json'), 'utf8')) as { objective: Record<string, unknown> };
    expect(info.objective.lvrLoss).toBe('infonce');
    expect(info.objective.selfFeed).toMatchObject({ from: 0, to: 1, stages: 2, grad: true, passes: 1 });
  });
});

import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { REASONING_WORDS, generateCaptionExample, patchifyRgb } from '@lvr/data';
import { initBackend } from '../backend.js';
import { loadModel } from './model-io.js';
import { preprocessFor } from './pretrain-data.js';

/** The committed base every fine-tuning run of issue 11 starts from (see models/base/README.md). */
const BASE = fileURLToPath(new URL('../../../../models/base', import.meta.url));
const SHIPPED = ['config.json', 'model.safetensors', 'tokenizer.json', 'lvr_training.json'];

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('models/base (the shipped base)', () => {
  it('matches its committed sha256 manifest, file by file, and stays under 20 MB', async () => {
    const manifest = (await readFile(join(BASE, 'SHA256SUMS'), 'utf8')).trim().split('\n').map((l) => l.trim().split(/\s+\*?/));
    expect(manifest.map(([, f]) => f).sort()).toEqual([...SHIPPED].sort());
    let total = 0;
    for (const [hash, file] of manifest) {
      const bytes = await readFile(join(BASE, file!));
      expect(createHash('sha256').update(bytes).digest('hex'), file).toBe(hash);
      total += (await stat(join(BASE, file!))).size;
    }
    expect(total).toBeLessThan(20 * 1024 * 1024);
  });

  it('loads with the demo LM, a 2-block ViT and the reasoning words, and encodes a grid scene into finite, distinct cell tokens', async () => {
    const { model, tokenizerJson, training } = await loadModel(BASE);
    try {
      const c = model.config;
      expect([c.hiddenSize, c.numLayers, c.numHeads, c.vision.depth]).toEqual([64, 2, 4, 2]);
      expect(training?.mode).toBe('base');
      const vocab = (tokenizerJson.model as { vocab: Record<string, number> }).vocab;
      for (const w of REASONING_WORDS) expect(vocab[w], w).toBeTypeOf('number');
      const ex = generateCaptionExample(new Rng(0), { gridProbability: 1 });
      const pre = preprocessFor(c);
      const tokens = tf.tidy(() => model.encodeImages([{
        pixelValues: patchifyRgb(ex.image, pre), gridThw: { t: 1, h: ex.image.height / c.vision.patchSize, w: ex.image.width / c.vision.patchSize },
      }]).arraySync());
      expect(tokens).toHaveLength(16);
      expect(tokens.flat().every(Number.isFinite)).toBe(true);
      // Cells holding different objects get different tokens (the base is not collapsed).
      const dist = (a: number[], b: number[]): number => Math.hypot(...a.map((x, i) => x - b[i]!));
      expect(dist(tokens[0]!, tokens[5]!)).toBeGreaterThan(1e-3);
    } finally {
      model.dispose();
    }
  });
});

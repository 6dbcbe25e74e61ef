import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { initBackend } from '../backend.js';
import { MiniQwenVL } from '../models/vlm.js';
import { applyLvrHead } from '../models/lvr-head.js';
import { maxAbsDiff } from '../testing.js';
import { modelWeights } from './export.js';
import { buildVisionGraph } from './vision-graph.js';
import { buildEmbedGraph, buildLvrHeadGraph } from './small-graphs.js';
import { loadOrt, type OrtModule } from './ort-runtime.js';
import { onnxTestConfig, onnxTestTokenizerJson, randomImage } from './testing.js';

let ort: OrtModule;
beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  ort = await loadOrt();
});

async function run(bytes: Uint8Array, feeds: Record<string, InstanceType<OrtModule['Tensor']>>, out: string): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    return Float32Array.from((await s.run(feeds))[out]?.data as Float32Array);
  } finally {
    await s.release();
  }
}

describe('exported graphs vs the tfjs modules', () => {
  const tok = onnxTestTokenizerJson();

  it('vision_encoder: several images with different grids (incl. t = 2) in one call, rotary and block mask in-graph', async () => {
    const model = MiniQwenVL.create(onnxTestConfig(tok, { vision: { ...onnxTestConfig(tok).vision, depth: 2 } }), { seed: 7 });
    const c = model.config;
    const images = [randomImage(c, 1, { t: 1, h: 4, w: 4 }), randomImage(c, 2, { t: 1, h: 2, w: 6 }), randomImage(c, 3, { t: 2, h: 2, w: 2 }), randomImage(c, 4, { t: 1, h: 4, w: 4 })];
    const expected = tf.tidy(() => Float32Array.from(model.encodeImages(images).dataSync() as Float32Array));
    const rows = images.reduce((a, im) => a + im.gridThw.t * im.gridThw.h * im.gridThw.w, 0);
    const pixels = new Float32Array(images.reduce((a, im) => a + im.pixelValues.length, 0));
    let off = 0;
    for (const im of images) { pixels.set(im.pixelValues, off); off += im.pixelValues.length; }
    const grid = BigInt64Array.from(images.flatMap((im) => [im.gridThw.t, im.gridThw.h, im.gridThw.w].map(BigInt)));
    const got = await run(buildVisionGraph(c, modelWeights(model)).build(), {
      pixel_values: new ort.Tensor('float32', pixels, [rows, pixels.length / rows]),
      grid_thw: new ort.Tensor('int64', grid, [images.length, 3]),
    }, 'image_features');
    expect(got.length).toBe((rows / 4) * c.hiddenSize);
    expect(maxAbsDiff(got, expected)).toBeLessThan(1e-4);
    // A wrong grid changes the output (the graph really reads grid_thw).
    const swapped = BigInt64Array.from(grid);
    swapped.set([1n, 2n, 8n], 0); // same patch count, different layout
    const other = await run(buildVisionGraph(c, modelWeights(model)).build(), {
      pixel_values: new ort.Tensor('float32', pixels, [rows, pixels.length / rows]),
      grid_thw: new ort.Tensor('int64', swapped, [images.length, 3]),
    }, 'image_features');
    expect(maxAbsDiff(other, expected)).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('embed_tokens gathers the embedding rows, including the LVR and latent token rows', async () => {
    const model = MiniQwenVL.create(onnxTestConfig(tok), { seed: 8 });
    const c = model.config;
    const ids = Int32Array.from([0, c.tokens.lvrStartId, c.tokens.lvrId, ...c.tokens.latentIds, c.vocabSize - 1]);
    const expected = tf.tidy(() => Float32Array.from(model.embedTokens(ids).dataSync() as Float32Array));
    const got = await run(buildEmbedGraph(c, modelWeights(model)).build(), {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
    }, 'inputs_embeds');
    expect(Array.from(got)).toEqual(Array.from(expected));
    model.dispose();
  });

  for (const head of ['simple', 'glu'] as const) {
    it(`lvr_head (${head}) matches applyLvrHead`, async () => {
      const model = MiniQwenVL.create(onnxTestConfig(tok, { lvr: { head } }), { seed: 9 });
      const c = model.config;
      const rng = new Rng(3);
      const h = Float32Array.from({ length: 3 * c.hiddenSize }, () => rng.normal());
      const expected = tf.tidy(() => Float32Array.from(applyLvrHead(model.params, c, tf.tensor2d(h, [3, c.hiddenSize])).dataSync() as Float32Array));
      const got = await run(buildLvrHeadGraph(c, modelWeights(model)).build(), { hidden_states: new ort.Tensor('float32', h, [3, c.hiddenSize]) }, 'latent');
      expect(maxAbsDiff(got, expected)).toBeLessThan(1e-5);
      expect(maxAbsDiff(got, h)).toBeGreaterThan(1e-3);
      model.dispose();
    });
  }
});

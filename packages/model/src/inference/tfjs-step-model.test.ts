import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { getRopeIndex } from '@lvr/data';
import { initBackend } from '../backend.js';
import { expectNoLeak, maxAbsDiff, tinyConfig, TINY_TOKENS } from '../testing.js';
import { patchRowWidth } from '../config.js';
import { MiniQwenVL } from '../models/vlm.js';
import type { ImageInput } from '../models/vision.js';
import { TfjsStepModel } from './tfjs-step-model.js';

const T = TINY_TOKENS;

function image(seed: number): ImageInput {
  const rng = new Rng(seed);
  return { pixelValues: Float32Array.from({ length: 16 * patchRowWidth(tinyConfig().vision) }, () => rng.normal()), gridThw: { t: 1, h: 4, w: 4 } };
}

const promptA = Int32Array.from([20, T.visionStartId, 1, 1, 1, 1, T.visionEndId, 21, 22]);
const promptB = Int32Array.from([23, T.visionStartId, 1, 1, 1, 1, T.visionEndId, 24]);

/** Full recomputation: one forward over prompt + continuation, override rows where embeddings were fed. */
function recompute(model: MiniQwenVL, prompt: Int32Array, img: ImageInput, cont: (number | Float32Array)[]): Float32Array {
  return tf.tidy(() => {
    const ids = Int32Array.from([...prompt, ...cont.map((x) => (typeof x === 'number' ? x : T.padId))]);
    const l = ids.length;
    const { positionIds } = getRopeIndex(ids, [img.gridThw], { imagePadId: T.imagePadId, visionStartId: T.visionStartId, mergeSize: 2 });
    const embPos: number[] = [];
    const rows: number[][] = [];
    cont.forEach((x, k) => { if (typeof x !== 'number') { embPos.push(prompt.length + k); rows.push(Array.from(x)); } });
    const overrides = rows.length ? [{ kind: 'rows' as const, positions: Int32Array.from(embPos), rows: tf.tensor2d(rows) }] : [];
    const { hidden } = model.forward({ batch: 1, length: l, inputIds: ids, positionIds, images: [img], overrides });
    return Float32Array.from(model.logits(hidden.slice([l - 1, 0], [1, hidden.shape[1]])).dataSync() as Float32Array);
  });
}

describe('TfjsStepModel (KV cache)', () => {
  beforeAll(async () => { await initBackend({ prefer: 'wasm' }); });

  it('cached decoding equals full recomputation, including latent (embedding) steps', async () => {
    const model = MiniQwenVL.create(tinyConfig(), { seed: 3 });
    const sm = new TfjsStepModel(model);
    const img = image(1);
    const pre = await sm.prefill([{ inputIds: promptA, images: [img] }]);
    expect(maxAbsDiff(pre.logits, recompute(model, promptA, img, []))).toBeLessThan(1e-5);
    const cont: (number | Float32Array)[] = [];
    let latent = pre.latent;
    const inputs: ({ kind: 'token'; id: number } | { kind: 'embedding'; vector: Float32Array })[] = [
      { kind: 'token', id: T.lvrStartId }, { kind: 'embedding', vector: new Float32Array(0) }, { kind: 'embedding', vector: new Float32Array(0) }, { kind: 'token', id: T.lvrEndId }, { kind: 'token', id: 30 },
    ];
    for (const inp of inputs) {
      const real = inp.kind === 'embedding' ? { kind: 'embedding' as const, vector: Float32Array.from(latent) } : inp;
      const out = await sm.step(pre.cache, [real]);
      cont.push(real.kind === 'token' ? real.id : real.vector);
      expect(maxAbsDiff(out.logits, recompute(model, promptA, img, cont))).toBeLessThan(1e-5);
      latent = out.latent;
    }
    sm.release(pre.cache);
    model.dispose();
  });

  it('a left-padded batch gives the same outputs as each row alone, and releases all tensors', async () => {
    const model = MiniQwenVL.create(tinyConfig(), { seed: 4 });
    const sm = new TfjsStepModel(model);
    const imgA = image(5), imgB = image(6);
    const alone = async (p: Int32Array, img: ImageInput): Promise<Float32Array[]> => {
      const pre = await sm.prefill([{ inputIds: p, images: [img] }]);
      const a = await sm.step(pre.cache, [{ kind: 'token', id: 25 }]);
      const e = await sm.step(pre.cache, [{ kind: 'embedding', vector: a.latent }]);
      sm.release(pre.cache);
      return [pre.logits, a.logits, e.logits];
    };
    const ra = await alone(promptA, imgA);
    const rb = await alone(promptB, imgB);
    await expectNoLeak(async () => {
      const pre = await sm.prefill([{ inputIds: promptA, images: [imgA] }, { inputIds: promptB, images: [imgB] }]);
      const a = await sm.step(pre.cache, [{ kind: 'token', id: 25 }, { kind: 'token', id: 25 }]);
      const v = sm.vocabSize, d = sm.hiddenSize;
      const e = await sm.step(pre.cache, [{ kind: 'embedding', vector: a.latent.slice(0, d) }, { kind: 'embedding', vector: a.latent.slice(d) }]);
      sm.release(pre.cache);
      sm.release(pre.cache); // idempotent
      const rows = [pre.logits, a.logits, e.logits];
      rows.forEach((x, k) => {
        expect(maxAbsDiff(x.slice(0, v), ra[k]!)).toBeLessThan(1e-5);
        expect(maxAbsDiff(x.slice(v), rb[k]!)).toBeLessThan(1e-5);
      });
    });
    await expect(sm.step({ batchSize: 1, length: 1 } as never, [{ kind: 'token', id: 1 }])).rejects.toThrow(/released/);
    model.dispose();
  });

  it('probes: the test-time image bottleneck hides the image except through latent tokens; prompt overrides apply', async () => {
    const model = MiniQwenVL.create(tinyConfig(), { seed: 8 });
    const sm = new TfjsStepModel(model);
    const run = async (prompt: Int32Array, img: ImageInput, extra: object = {}): Promise<Float32Array[]> => {
      const pre = await sm.prefill([{ inputIds: prompt, images: [img], imageBottleneck: true, ...extra }]);
      const a = await sm.step(pre.cache, [{ kind: 'token', id: 25 }]);
      sm.release(pre.cache);
      return [pre.logits, a.logits];
    };
    const noLatents = Int32Array.from([20, T.visionStartId, 1, 1, 1, 1, T.visionEndId, 21]);
    const [a1, a2] = await run(noLatents, image(1));
    const [b1, b2] = await run(noLatents, image(2));
    expect(maxAbsDiff(a1!, b1!)).toBeLessThan(1e-6);
    expect(maxAbsDiff(a2!, b2!)).toBeLessThan(1e-6);
    const withLatents = Int32Array.from([20, T.visionStartId, 1, 1, 1, 1, T.visionEndId, 21, T.latentIds[0], T.latentIds[1]]);
    const [c1] = await run(withLatents, image(1));
    const [d1] = await run(withLatents, image(2));
    expect(maxAbsDiff(c1!, d1!)).toBeGreaterThan(1e-4);
    const zeros = [8, 9].map((position) => ({ position, vector: new Float32Array(sm.hiddenSize) }));
    const [e1] = await run(withLatents, image(1), { embeddingOverrides: zeros });
    expect(maxAbsDiff(c1!, e1!)).toBeGreaterThan(1e-6);
    const tokens = await sm.encodeImages([image(1)]);
    expect(tokens.length).toBe(4 * sm.hiddenSize);
    model.dispose();
  });
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { initBackend } from '../backend.js';
import { expectNoLeak, maxAbsDiff, tinyConfig, TINY_TOKENS } from '../testing.js';
import { patchRowWidth } from '../config.js';
import { MiniQwenVL } from './vlm.js';
import type { ImageInput } from './vision.js';
import { parameterSpecs } from './params.js';
import { paramCount } from '../train/param-store.js';

const T = TINY_TOKENS;

function image(rng: Rng, cfg = tinyConfig()): ImageInput {
  const grid = { t: 1, h: 4, w: 4 }; // 16 patches → 4 merged tokens
  const n = grid.t * grid.h * grid.w * patchRowWidth(cfg.vision);
  return { pixelValues: Float32Array.from({ length: n }, () => rng.normal()), gridThw: grid };
}

/** 1-D positions for text-only rows (t = h = w = index). */
function textPositions(b: number, l: number): Int32Array {
  const p = new Int32Array(3 * b * l);
  for (let a = 0; a < 3; a++) for (let r = 0; r < b; r++) for (let t = 0; t < l; t++) p[a * b * l + r * l + t] = t;
  return p;
}

describe('MiniQwenVL forward', () => {
  beforeAll(async () => { await initBackend({ prefer: 'wasm' }); });

  it('has the Qwen2.5-VL parameter layout and returns (B·L, D) hidden states and (n, V) logits', () => {
    const cfg = tinyConfig();
    const names = parameterSpecs(cfg).map((s) => s.name);
    expect(names).toContain('visual.merger.mlp.0.weight');
    expect(names).toContain('model.layers.1.self_attn.q_proj.bias');
    expect(names).not.toContain('lm_head.weight'); // tied
    const model = MiniQwenVL.create(cfg, { seed: 1 });
    expect(paramCount(model.params)).toBeGreaterThan(1000);
    const rng = new Rng(2);
    const ids = Int32Array.from([20, T.visionStartId, T.imagePadId, T.imagePadId, T.imagePadId, T.imagePadId, T.visionEndId, 21]);
    const out = model.forward({ batch: 1, length: 8, inputIds: ids, positionIds: textPositions(1, 8), images: [image(rng)] });
    expect(out.hidden.shape).toEqual([8, 16]);
    expect(out.visual.shape).toEqual([4, 16]);
    const logits = model.logits(out.hidden);
    expect(logits.shape).toEqual([8, 40]);
    tf.dispose([out.hidden, out.visual, logits, ...out.present.flatMap((p) => [p.key, p.value])]);
    model.dispose();
  });

  it('rejects a mismatch between <|image_pad|> count and visual tokens', () => {
    const model = MiniQwenVL.create(tinyConfig());
    const ids = Int32Array.from([20, T.imagePadId, 21]);
    expect(() => model.forward({ batch: 1, length: 3, inputIds: ids, positionIds: textPositions(1, 3), images: [image(new Rng(1))] })).toThrow(/image_pad/);
    model.dispose();
  });

  it('does not leak tensors in forward or in a gradient step', async () => {
    const model = MiniQwenVL.create(tinyConfig());
    const img = image(new Rng(4));
    const ids = Int32Array.from([20, T.imagePadId, T.imagePadId, T.imagePadId, T.imagePadId, 21, 22]);
    const inp = { batch: 1, length: 7, inputIds: ids, positionIds: textPositions(1, 7), images: [img] };
    await expectNoLeak(() => tf.tidy(() => { model.forward(inp); }), { warmup: true });
    const vars = [...model.params.values()].map((e) => e.variable);
    await expectNoLeak(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(model.logits(model.forward(inp).hidden)) as tf.Scalar, vars);
      value.dispose();
      tf.dispose(Object.values(grads));
    });
    model.dispose();
  });

  it('a padded row gives the same hidden states as the same row alone (causal + key mask)', () => {
    const model = MiniQwenVL.create(tinyConfig(), { seed: 5 });
    const a = [20, 21, 22, 23], b2 = [24, 25];
    const ids = Int32Array.from([...a, ...b2, T.padId, T.padId]);
    const mask = Uint8Array.from([1, 1, 1, 1, 1, 1, 0, 0]);
    const both = tf.tidy(() => model.forward({ batch: 2, length: 4, inputIds: ids, positionIds: textPositions(2, 4), attentionMask: mask }).hidden.arraySync() as number[][]);
    const alone = tf.tidy(() => model.forward({ batch: 1, length: 2, inputIds: Int32Array.from(b2), positionIds: textPositions(1, 2) }).hidden.arraySync() as number[][]);
    expect(maxAbsDiff((both[4] as number[]).concat(both[5] as number[]), (alone[0] as number[]).concat(alone[1] as number[]))).toBeLessThan(1e-5);
    model.dispose();
  });
});

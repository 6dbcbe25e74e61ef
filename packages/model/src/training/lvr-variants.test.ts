import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, isLvrError } from '@lvr/core';
import { initBackend } from '../backend.js';
import { maxAbsDiff, tinyConfig, TINY_TOKENS } from '../testing.js';
import { patchRowWidth } from '../config.js';
import { MiniQwenVL } from '../models/vlm.js';
import type { ImageInput } from '../models/vision.js';
import { computeLoss, latentSpans, resolveObjective } from './objectives.js';
import { IGNORE_INDEX, type TrainBatch } from './batch.js';
import { imageMeans, infoNceLoss, mapToTargetSpace, pointerLoss, singleImage } from './lvr-targets.js';
import { chooseSelfFed, resolveSelfFeed, selfFedForward, selfFeedProbability } from './self-feed.js';

const T = TINY_TOKENS;

function image(seed: number): ImageInput {
  const rng = new Rng(seed);
  const n = 16 * patchRowWidth(tinyConfig().vision);
  return { pixelValues: Float32Array.from({ length: n }, () => rng.normal()), gridThw: { t: 1, h: 4, w: 4 } };
}

function positions(l: number): Int32Array {
  const p = new Int32Array(3 * l);
  for (let a = 0; a < 3; a++) for (let t = 0; t < l; t++) p[a * l + t] = t;
  return p;
}

// [q, vs, pad×4, ve, asst, S, lvr, lvr, lvr, E, ans, eos]; the image has 4 merged tokens.
const ids = [20, T.visionStartId, 1, 1, 1, 1, T.visionEndId, 21, T.lvrStartId, T.lvrId, T.lvrId, T.lvrId, T.lvrEndId, 30, T.eosId];
const LAT = [9, 10, 11];
const ROWS = [3, 1, 3];
function lvrBatch(img: ImageInput): TrainBatch {
  const labels = ids.map((id, t) => (t < 8 || id === T.lvrId ? IGNORE_INDEX : id));
  return {
    batch: 1, length: ids.length, inputIds: Int32Array.from(ids), attentionMask: new Uint8Array(ids.length).fill(1),
    positionIds: positions(ids.length), labels: Int32Array.from(labels), images: [img],
    lvr: { positions: Int32Array.from(LAT), visualRows: Int32Array.from(ROWS) }, numTokens: ids.length,
  };
}

const rows = (t: tf.Tensor): number[][] => t.arraySync() as number[][];
const cos = (a: number[], b: number[]): number => {
  let d = 0, na = 0, nb = 0;
  a.forEach((x, i) => { d += x * (b[i] as number); na += x * x; nb += (b[i] as number) ** 2; });
  return d / Math.sqrt(na * nb);
};
const logSoftmax = (x: number[]): number[] => {
  const m = Math.max(...x);
  const z = Math.log(x.reduce((s, v) => s + Math.exp(v - m), 0)) + m;
  return x.map((v) => v - z);
};

describe('LVR regression targets', () => {
  beforeAll(async () => { await initBackend({ prefer: 'wasm' }); });

  it('centred targets have zero mean over the image, normalised ones unit norm', () => {
    const v = tf.tensor2d([[1, 2, 3], [3, 2, 1], [5, 5, 5], [-1, 0, 7]]);
    const mu = imageMeans(v, singleImage(4, 4));
    const c = rows(mapToTargetSpace(v, mu, 'centred'));
    for (let j = 0; j < 3; j++) expect(Math.abs(c.reduce((s, r) => s + (r[j] as number), 0))).toBeLessThan(1e-5);
    const cn = rows(mapToTargetSpace(v, mu, 'centred-normalised'));
    for (const r of cn) expect(Math.hypot(...r)).toBeCloseTo(1, 5);
    const n = rows(mapToTargetSpace(v, undefined, 'normalised'));
    expect(n[2]![0]).toBeCloseTo(1 / Math.sqrt(3), 5);
    expect(() => mapToTargetSpace(v, undefined, 'centred')).toThrow(/image means/);
  });

  it('centring is a no-op for MSE but changes cosine (both sides are centred)', () => {
    const model = MiniQwenVL.create(tinyConfig(), { seed: 4 });
    const b = lvrBatch(image(5));
    const lvrLoss = (o: Parameters<typeof resolveObjective>[0]): number => tf.tidy(() => computeLoss(model, b, resolveObjective({ kind: 'lvr', ...o })).metrics['loss/lvr']!.dataSync()[0]!);
    expect(lvrLoss({ lvrTarget: 'centred' })).toBeCloseTo(lvrLoss({ lvrTarget: 'raw' }), 5);
    expect(Math.abs(lvrLoss({ lvrLoss: 'cosine', lvrTarget: 'centred' }) - lvrLoss({ lvrLoss: 'cosine' }))).toBeGreaterThan(1e-4);
    model.dispose();
  });

  it('InfoNCE equals a hand computation over the tokens of the latent’s own image (centred cosine / τ)', () => {
    // Two images of 3 tokens each; latent 0 belongs to image 0 (target row 1), latent 1 to image 1 (target row 5).
    const rng = new Rng(1);
    const V = Array.from({ length: 6 }, () => Array.from({ length: 4 }, () => rng.normal()));
    const P = Array.from({ length: 2 }, () => Array.from({ length: 4 }, () => rng.normal()));
    const img = { start: Int32Array.of(0, 3), count: Int32Array.of(3, 3) };
    const targets = Int32Array.of(1, 5);
    const got = tf.tidy(() => infoNceLoss(tf.tensor2d(P), tf.tensor2d(V), targets, img, { temperature: 0.5, centred: true }).dataSync()[0]!);
    let want = 0;
    for (let k = 0; k < 2; k++) {
      const own = V.slice(k * 3, k * 3 + 3);
      const mu = [0, 1, 2, 3].map((j) => own.reduce((s, r) => s + (r[j] as number), 0) / 3);
      const c = (x: number[]): number[] => x.map((v, j) => v - (mu[j] as number));
      const logits = own.map((v) => cos(c(P[k]!), c(v)) / 0.5);
      want -= logSoftmax(logits)[(targets[k] as number) - k * 3]!;
    }
    expect(got).toBeCloseTo(want / 2, 4);
    // A prediction equal to the target token scores lower than one equal to another token.
    const at = (r: number): number => tf.tidy(() => infoNceLoss(tf.tensor2d([V[r]!]), tf.tensor2d(V.slice(0, 3)), Int32Array.of(1), singleImage(1, 3), { temperature: 0.1, centred: true }).dataSync()[0]!);
    expect(at(1)).toBeLessThan(at(0));
    expect(() => infoNceLoss(tf.tensor2d(P), tf.tensor2d(V), Int32Array.of(4, 5), img, { temperature: 0.5, centred: true })).toThrow(/not a token of its image/);
  });

  it('the pointer loss is the cross-entropy of softmax(q·v/√D) toward the ROI tokens (uniform), at <|lvr_start|>', () => {
    const V = [[1, 0], [0, 1], [1, 1], [-1, 2]];
    const q = [[0.5, -1]];
    const got = tf.tidy(() => pointerLoss(tf.tensor2d(q), tf.tensor2d(V), [Int32Array.of(2, 3, 2)], singleImage(1, 4)).dataSync()[0]!);
    const lp = logSoftmax(V.map((v) => ((v[0] as number) * 0.5 - (v[1] as number)) / Math.SQRT2));
    expect(got).toBeCloseTo(-(lp[2]! + lp[3]!) / 2, 5);
    // In computeLoss the query is the (head-mapped) hidden state at <|lvr_start|>, and λ·pointer is added.
    const model = MiniQwenVL.create(tinyConfig(), { seed: 6 });
    const b = lvrBatch(image(7));
    expect(latentSpans(b, T.lvrStartId)).toEqual([{ first: 0, count: 3 }]);
    const [total, ce, lvr, ptr, manual] = tf.tidy(() => {
      const out = computeLoss(model, b, resolveObjective({ kind: 'lvr', lvrLambda: 0.5, pointerLambda: 2 }));
      const { hidden, visual } = model.forward({ batch: 1, length: b.length, inputIds: b.inputIds, positionIds: b.positionIds, images: b.images, overrides: [{ kind: 'visual', positions: b.lvr!.positions, visualRows: b.lvr!.visualRows }] });
      const h = hidden.slice([8, 0], [1, 16]) as tf.Tensor2D;
      const m = pointerLoss(h, visual, [Int32Array.of(3, 1)], singleImage(1, 4)).dataSync()[0]!;
      return [out.loss, out.metrics['loss/ce']!, out.metrics['loss/lvr']!, out.metrics['loss/pointer']!].map((t) => t.dataSync()[0]!).concat(m);
    });
    expect(ptr).toBeCloseTo(manual!, 5);
    expect(total).toBeCloseTo(ce! + 0.5 * lvr! + 2 * ptr!, 4);
    model.dispose();
  });
});

describe('self-fed latent training', () => {
  beforeAll(async () => { await initBackend({ prefer: 'wasm' }); });

  it('the schedule ramps from → to (linear or in Coconut-style stages) and the choices are seeded', () => {
    const lin = resolveSelfFeed({ from: 0.2, to: 1, until: 0.5 });
    expect(selfFeedProbability(lin, 0)).toBeCloseTo(0.2);
    expect(selfFeedProbability(lin, 0.25)).toBeCloseTo(0.6);
    expect(selfFeedProbability(lin, 0.9)).toBeCloseTo(1);
    const staged = resolveSelfFeed({ from: 0, to: 1, stages: 4 });
    expect([0, 0.2, 0.26, 0.6, 0.99, 1].map((p) => selfFeedProbability(staged, p))).toEqual([0, 0, 0.25, 0.5, 0.75, 1]);
    expect(Array.from(chooseSelfFed(50, 0.5, new Rng(3)))).toEqual(Array.from(chooseSelfFed(50, 0.5, new Rng(3))));
    const frac = chooseSelfFed(2000, 0.3, new Rng(1)).reduce((s, x) => s + x, 0) / 2000;
    expect(Math.abs(frac - 0.3)).toBeLessThan(0.05);
    expect(chooseSelfFed(5, 0, new Rng(1)).every((x) => x === 0)).toBe(true);
    for (const bad of [{ to: 1.5 }, { until: 0 }, { passes: 0 }, { stages: 1.5 }]) {
      let err: unknown;
      try { resolveSelfFeed(bad); } catch (e) { err = e; }
      expect(isLvrError(err) && err.code === 'CONFIG_INVALID').toBe(true);
    }
  });

  it('self-fed inputs are the model’s own hidden states at p − 1 of the teacher-forced pass (one pass)', () => {
    const model = MiniQwenVL.create(tinyConfig(), { seed: 12 });
    const b = lvrBatch(image(13));
    const input = { batch: 1, length: b.length, inputIds: b.inputIds, positionIds: b.positionIds, images: b.images };
    const chosen = Uint8Array.of(1, 0, 1);
    const [fed, own, finalHidden, explicit] = tf.tidy(() => {
      const out = selfFedForward(model, input, b.lvr!, chosen, { grad: true, passes: 1 });
      const teacher = model.forward({ ...input, overrides: [{ kind: 'visual', positions: b.lvr!.positions, visualRows: b.lvr!.visualRows }] });
      const ownRows = model.latentFromHidden(teacher.hidden.gather([8, 10]) as tf.Tensor2D); // p − 1 of latents 0 and 2
      const v = teacher.visual.arraySync() as number[][];
      const rowsIn = tf.tensor2d([ownRows.arraySync()[0]!, v[1]!, ownRows.arraySync()[1]!]);
      const manual = model.forward({ ...input, overrides: [{ kind: 'rows', positions: b.lvr!.positions, rows: rowsIn }] });
      return [out.fed.rows!.dataSync(), ownRows.dataSync(), out.hidden.dataSync(), manual.hidden.dataSync()];
    });
    expect(maxAbsDiff(fed!, own!)).toBeLessThan(1e-6);
    expect(maxAbsDiff(finalHidden!, explicit!)).toBeLessThan(1e-5);
    model.dispose();
  });

  it('with passes = span length every latent gets exactly the vector of the sequential inference loop', () => {
    const model = MiniQwenVL.create(tinyConfig({ lvr: { head: 'simple' } }), { seed: 21 });
    const b = lvrBatch(image(22));
    const input = { batch: 1, length: b.length, inputIds: b.inputIds, positionIds: b.positionIds, images: b.images };
    const [fed, sequential] = tf.tidy(() => {
      const out = selfFedForward(model, input, b.lvr!, Uint8Array.of(1, 1, 1), { grad: false, passes: 3 });
      // Inference: latent k's input is the head applied to the hidden state at p_k − 1 given the earlier fed latents.
      const fedSoFar: number[][] = [];
      for (const p of LAT) {
        const filler = LAT.map((_, k) => fedSoFar[k] ?? new Array<number>(16).fill(0));
        const { hidden } = model.forward({ ...input, overrides: [{ kind: 'rows', positions: Int32Array.from(LAT), rows: tf.tensor2d(filler) }] });
        fedSoFar.push(model.latentFromHidden(hidden.slice([p - 1, 0], [1, 16]) as tf.Tensor2D).arraySync()[0]!);
      }
      return [out.fed.rows!.dataSync(), Float32Array.from(fedSoFar.flat())];
    });
    expect(maxAbsDiff(fed!, sequential!)).toBeLessThan(1e-5);
    model.dispose();
  });

  it('grad: true back-propagates through the fed vectors, grad: false stops there; computeLoss reports the fraction', () => {
    const model = MiniQwenVL.create(tinyConfig(), { seed: 31 });
    const b = lvrBatch(image(32));
    const v = model.params.get('model.layers.0.mlp.down_proj.weight')!.variable;
    const grad = (g: boolean): Float32Array => tf.tidy(() => {
      const o = resolveObjective({ kind: 'lvr', lvrLambda: 1, selfFeed: { from: 1, to: 1, grad: g } });
      const { grads } = tf.variableGrads(() => computeLoss(model, b, o, { progress: 0, rng: new Rng(0) }).loss, [v]);
      return grads[v.name]!.dataSync() as Float32Array;
    });
    expect(maxAbsDiff(grad(true), grad(false))).toBeGreaterThan(1e-7);
    const frac = tf.tidy(() => computeLoss(model, b, resolveObjective({ kind: 'lvr', selfFeed: { from: 0, to: 1 } }), { progress: 1, rng: new Rng(0) }).metrics['self_feed/fraction']!.dataSync()[0]);
    expect(frac).toBe(1);
    expect(() => tf.tidy(() => computeLoss(model, b, resolveObjective({ kind: 'lvr', selfFeed: {} })).loss)).toThrow(/loss context/);
    model.dispose();
  });
});

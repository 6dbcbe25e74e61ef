import { POINTER_TEMPERATURE } from '@lvr/decoding';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Rng, isLvrError } from '@lvr/core';
import { initBackend } from '../backend.js';
import { maxAbsDiff, tinyConfig, TINY_TOKENS } from '../testing.js';
import { patchRowWidth } from '../config.js';
import { MiniQwenVL, type EmbedOverride, type ForwardInput } from '../models/vlm.js';
import type { ImageInput } from '../models/vision.js';
import { param } from '../models/params.js';
import { PAUSE_EMBEDDING_PARAM, pauseRowIndex, withPauseTokens } from '../models/pause-embedding.js';
import { computeLoss, hopWeight, resolveObjective, type ObjectiveInput } from './objectives.js';
import { IGNORE_INDEX, type TrainBatch } from './batch.js';
import { hopLoss, pointerLogits, pointerMix, singleImage } from './lvr-targets.js';
import { LATENT_FEEDBACK_KINDS, parseLatentFeedback } from './latent-feedback.js';
import { pointerMixForward, spanIndexOf } from './latent-feedback-forward.js';

const T = TINY_TOKENS;
const D = 16;

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

// [q, vs, pad×4, ve, asst, S, lvr, lvr, lvr, E, ans, eos]; the image has 4 merged tokens, one span of 3 latents.
const ids = [20, T.visionStartId, 1, 1, 1, 1, T.visionEndId, 21, T.lvrStartId, T.lvrId, T.lvrId, T.lvrId, T.lvrEndId, 30, T.eosId];
const LAT = Int32Array.of(9, 10, 11);
const ROWS = Int32Array.of(3, 1, 2);

/** The batch with pixels, or with the model's own visual tokens cached (LM-only fine-tuning). */
function lvrBatch(img: ImageInput, cached?: Float32Array): TrainBatch {
  const labels = ids.map((id, t) => (t < 8 || id === T.lvrId ? IGNORE_INDEX : id));
  return {
    batch: 1, length: ids.length, inputIds: Int32Array.from(ids), attentionMask: new Uint8Array(ids.length).fill(1),
    positionIds: positions(ids.length), labels: Int32Array.from(labels), ...(cached ? { visualTokens: cached } : { images: [img] }),
    lvr: { positions: LAT, visualRows: ROWS }, numTokens: ids.length,
  };
}

const cachedTokens = (model: MiniQwenVL, img: ImageInput): Float32Array => tf.tidy(() => model.encodeImages([img]).dataSync() as Float32Array);
const num = (t: tf.Tensor | undefined): number => (t as tf.Tensor).dataSync()[0] as number;
const logSoftmax = (x: number[]): number[] => {
  const m = Math.max(...x);
  const z = Math.log(x.reduce((s, v) => s + Math.exp(v - m), 0)) + m;
  return x.map((v) => v - z);
};
const lossOf = (model: MiniQwenVL, b: TrainBatch, o: ObjectiveInput): Record<string, number> => tf.tidy(() => {
  const out = computeLoss(model, b, resolveObjective({ kind: 'lvr', ...o }));
  return Object.fromEntries([['total', num(out.loss)], ...Object.entries(out.metrics).map(([k, v]) => [k, num(v)])]);
});
function configError(f: () => unknown): string {
  try { f(); } catch (e) { if (isLvrError(e) && e.code === 'CONFIG_INVALID') return e.message; throw e; }
  return '';
}

describe('latent feedback: options', () => {
  it('the kind defaults to hidden (the reference, unchanged); pointer kinds switch the regression off and the hop CE on', () => {
    expect(LATENT_FEEDBACK_KINDS).toEqual(['hidden', 'pointer-argmax', 'pointer-mix', 'pause']);
    expect(parseLatentFeedback(undefined)).toBe('hidden');
    const ref = resolveObjective({ kind: 'lvr' });
    expect([ref.latentFeedback, ref.lvrLambda, ref.hopLambda]).toEqual(['hidden', 0.1, 0]);
    for (const k of ['pointer-argmax', 'pointer-mix'] as const) {
      const o = resolveObjective({ kind: 'lvr', latentFeedback: k });
      expect([o.lvrLambda, o.hopLambda]).toEqual([0, 1]);
      expect(resolveObjective({ kind: 'lvr', latentFeedback: k, lvrLambda: 0.3, hopLambda: 2 })).toMatchObject({ lvrLambda: 0.3, hopLambda: 2 });
    }
    expect(resolveObjective({ kind: 'lvr', latentFeedback: 'pause' })).toMatchObject({ lvrLambda: 0, hopLambda: 0 });
    expect(configError(() => resolveObjective({ kind: 'lvr', latentFeedback: 'pause', lvrLambda: 0.1 }))).toMatch(/lvrLambda must be 0/);
    expect(configError(() => resolveObjective({ kind: 'lvr', latentFeedback: 'pointer-mix', selfFeed: {} }))).toMatch(/selfFeed/);
    expect(configError(() => resolveObjective({ kind: 'sft', latentFeedback: 'pointer-argmax' }))).toMatch(/kind 'lvr' only/);
    expect(configError(() => resolveObjective({ kind: 'lvr', latentFeedback: 'pointer' as never }))).toMatch(/latentFeedback must be/);
    expect(configError(() => resolveObjective({ kind: 'lvr', hopLambda: -1 }))).toMatch(/hopLambda/);
  });

  it('span indices and pause rows: latent t of a span reads row min(t, P − 1)', () => {
    expect(Array.from(spanIndexOf([{ first: 0, count: 3 }, { first: 3, count: 2 }], 5))).toEqual([0, 1, 2, 0, 1]);
    expect(Array.from(pauseRowIndex(Int32Array.of(0, 1, 2, 0, 1), 2))).toEqual([0, 1, 1, 0, 1]);
    expect(configError(() => pauseRowIndex(Int32Array.of(0), 0))).toMatch(/pauseTokens/);
  });
});

describe('latent feedback: pause (Pause-K)', () => {
  beforeAll(async () => { await initBackend({ prefer: 'wasm' }); });

  it('feeds lvr_pause_emb rows at the span — never a visual token or hidden state — and ROI pixels do not reach them', () => {
    const model = MiniQwenVL.create(tinyConfig({ lvr: { pauseTokens: 2 } }), { seed: 1 });
    const img = image(2);
    const table = param(model.params, PAUSE_EMBEDDING_PARAM).arraySync() as number[][];
    expect(table.length).toBe(2);
    const fedAt = (b: TrainBatch): { overrides: readonly EmbedOverride[]; rows: number[][]; calls: number } => {
      const spy = vi.spyOn(model, 'forward');
      try {
        let rows: number[][] = [];
        tf.tidy(() => {
          computeLoss(model, b, resolveObjective({ kind: 'lvr', latentFeedback: 'pause' }));
          const r = ((spy.mock.calls[0]![0] as ForwardInput).overrides ?? []).find((o) => o.kind === 'rows') as Extract<EmbedOverride, { kind: 'rows' }>;
          rows = r.rows.arraySync() as number[][];
        });
        return { overrides: (spy.mock.calls[0]![0] as ForwardInput).overrides ?? [], rows, calls: spy.mock.calls.length };
      } finally { spy.mockRestore(); }
    };
    const cached = cachedTokens(model, img);
    const a = fedAt(lvrBatch(img, cached));
    expect(a.calls).toBe(1);
    expect(a.overrides.some((o) => o.kind === 'visual')).toBe(false); // no teacher-forced ROI token
    const rowsOv = a.overrides.filter((o) => o.kind === 'rows');
    expect(rowsOv.length).toBe(1);
    expect(Array.from(rowsOv[0]!.positions)).toEqual(Array.from(LAT));
    expect(maxAbsDiff(a.rows.flat(), [table[0]!, table[1]!, table[1]!].flat())).toBeLessThan(1e-7);
    // Change the visual token at ROI row 3: the inputs at the span stay exactly the same.
    const changed = Float32Array.from(cached);
    for (let j = 0; j < D; j++) changed[3 * D + j] = (changed[3 * D + j] as number) + 5;
    expect(fedAt(lvrBatch(img, changed)).rows).toEqual(a.rows);
    // CE only: no regression / hop metric, loss = CE; pixels and cached tokens give the same loss.
    const m = lossOf(model, lvrBatch(img, cached), { latentFeedback: 'pause' });
    expect(m['loss/lvr']).toBeUndefined();
    expect(m['loss/hop']).toBeUndefined();
    expect(m.total).toBeCloseTo(m['loss/ce']!, 6);
    expect(lossOf(model, lvrBatch(img), { latentFeedback: 'pause' }).total).toBeCloseTo(m.total!, 4);
    model.dispose();
  });

  it('the gradient reaches lvr_pause_emb (both rows used), and a base without it gets a fresh seeded table', () => {
    const base = MiniQwenVL.create(tinyConfig(), { seed: 3 });
    expect(base.params.has(PAUSE_EMBEDDING_PARAM)).toBe(false);
    const embBefore = param(base.params, 'model.embed_tokens.weight').dataSync().slice();
    const model = withPauseTokens(base, 2, 7);
    expect(model.config.lvr.pauseTokens).toBe(2);
    expect(maxAbsDiff(param(model.params, 'model.embed_tokens.weight').dataSync(), embBefore)).toBe(0);
    const again = withPauseTokens(MiniQwenVL.create(tinyConfig(), { seed: 3 }), 2, 7);
    expect(maxAbsDiff(param(again.params, PAUSE_EMBEDDING_PARAM).dataSync(), param(model.params, PAUSE_EMBEDDING_PARAM).dataSync())).toBe(0);
    again.dispose();
    const b = lvrBatch(image(4), cachedTokens(model, image(4)));
    const o = resolveObjective({ kind: 'lvr', latentFeedback: 'pause' });
    const pause = param(model.params, PAUSE_EMBEDDING_PARAM);
    const g = tf.tidy(() => (tf.variableGrads(() => computeLoss(model, b, o).loss, [pause]).grads[pause.name] as tf.Tensor).arraySync() as number[][]);
    for (const row of g) expect(Math.hypot(...row)).toBeGreaterThan(1e-6);
    expect(configError(() => withPauseTokens(model, 3, 0))).toMatch(/already has 2/);
    const plain = MiniQwenVL.create(tinyConfig(), { seed: 3 });
    expect(configError(() => tf.tidy(() => { computeLoss(plain, b, o); }))).toMatch(/pauseTokens/);
    plain.dispose();
    model.dispose();
  });
});

/** By hand: cos(q, v_j − μ) / τ over one image's tokens (μ = their mean), the pointer logits' definition. */
function handPointerLogits(q: readonly number[], own: readonly (readonly number[])[]): number[] {
  const mu = q.map((_, j) => own.reduce((a, v) => a + (v[j] as number), 0) / own.length);
  const norm = (x: readonly number[]): number => Math.sqrt(x.reduce((a, y) => a + y * y, 0) + 1e-12);
  return own.map((v) => {
    const c = v.map((x, j) => x - (mu[j] as number));
    return c.reduce((a, x, j) => a + x * (q[j] as number), 0) / (norm(c) * norm(q) * POINTER_TEMPERATURE);
  });
}

describe('latent feedback: pointer-argmax (teacher-forced + hop CE)', () => {
  beforeAll(async () => { await initBackend({ prefer: 'wasm' }); });

  it('hopLoss is the CE of softmax(cos(q, v − μ)/τ) over the latent’s own image toward its token; acc = argmax hits', () => {
    const rng = new Rng(9);
    const V = Array.from({ length: 6 }, () => Array.from({ length: 4 }, () => rng.normal()));
    const Q = [V[2]!.map((x) => 3 * x), Array.from({ length: 4 }, () => rng.normal())];
    const img = { start: Int32Array.of(0, 3), count: Int32Array.of(3, 3) };
    const targets = Int32Array.of(2, 4);
    const [loss, acc] = tf.tidy(() => { const h = hopLoss(tf.tensor2d(Q), tf.tensor2d(V), targets, img); return [num(h.loss), num(h.acc)]; });
    let want = 0;
    let hits = 0;
    for (let k = 0; k < 2; k++) {
      const own = V.slice(k * 3, k * 3 + 3);
      const logits = handPointerLogits(Q[k]!, own);
      want -= logSoftmax(logits)[(targets[k] as number) - k * 3]!;
      if (logits.indexOf(Math.max(...logits)) === (targets[k] as number) - k * 3) hits++;
    }
    expect(loss).toBeCloseTo(want / 2, 5);
    expect(acc).toBeCloseTo(hits / 2, 6);
    expect(() => hopLoss(tf.tensor2d(Q), tf.tensor2d(V), Int32Array.of(4, 4), img)).toThrow(/not a token of its image/);
  });

  it('pointer logits centre the keys per image: a component shared by an image\'s tokens changes nothing, so near-parallel tokens still separate', () => {
    const rng = new Rng(4);
    const V = Array.from({ length: 6 }, () => Array.from({ length: 4 }, () => rng.normal()));
    const img = { start: Int32Array.of(0, 3), count: Int32Array.of(3, 3) };
    const Q = [V[1]!, V[5]!];
    // A huge offset per image (as a trained tower's tokens share: pairwise cosine 0.99): uncentred cosines would all be ≈ 1.
    const shifted = V.map((v, j) => v.map((x, d) => x + (j < 3 ? 50 : -80) * (d + 1)));
    const [a, b] = tf.tidy(() => [pointerLogits(tf.tensor2d(Q), tf.tensor2d(V), img).arraySync(), pointerLogits(tf.tensor2d(Q), tf.tensor2d(shifted), img).arraySync()] as number[][][]);
    for (let k = 0; k < 2; k++) for (let j = k * 3; j < k * 3 + 3; j++) expect(b![k]![j]).toBeCloseTo(a![k]![j]!, 3);
    expect(a![0]!.slice(0, 3)).toEqual(handPointerLogits(Q[0]!, V.slice(0, 3)).map((x) => expect.closeTo(x, 4)));
    expect(a![0]![4]).toBeLessThan(-1e8); // another image's token
  });

  it('hopRamp schedules the hop weight over progress (0 before a, linear to hopLambda at b); a bad ramp is CONFIG_INVALID', () => {
    const o = resolveObjective({ kind: 'lvr', latentFeedback: 'pointer-argmax', hopLambda: 2, hopRamp: [0.2, 0.6] });
    expect([0, 0.19, 0.2, 0.4, 0.6, 1].map((p) => hopWeight(o, p))).toEqual([0, 0, 0, 1, 2, 2].map((x) => expect.closeTo(x, 9)));
    expect(hopWeight(o, undefined)).toBe(2);
    expect(hopWeight(resolveObjective({ kind: 'lvr', latentFeedback: 'pointer-argmax' }), 0)).toBe(1);
    expect(configError(() => resolveObjective({ kind: 'lvr', latentFeedback: 'pointer-argmax', hopRamp: [0.6, 0.2] }))).toMatch(/hopRamp/);
    // Before the ramp the hop loss is reported but not added.
    const model = MiniQwenVL.create(tinyConfig(), { seed: 5 });
    const b = lvrBatch(image(6), cachedTokens(model, image(6)));
    const at = (progress: number) => tf.tidy(() => {
      const r = computeLoss(model, b, o, { progress, rng: new Rng(0) });
      return { total: num(r.loss), ce: num(r.metrics['loss/ce']), hop: num(r.metrics['loss/hop']) };
    });
    const early = at(0.1);
    expect(early.total).toBeCloseTo(early.ce, 5);
    expect(early.hop).toBeGreaterThan(0);
    const mid = at(0.4);
    expect(mid.total).toBeCloseTo(mid.ce + 1 * mid.hop, 4);
    model.dispose();
  });

  it('computeLoss = CE + hopLambda · hop CE on the teacher-forced pass (regression off by default), reports loss/hop and hop/acc', () => {
    const model = MiniQwenVL.create(tinyConfig({ lvr: { head: 'simple' } }), { seed: 5 });
    const img = image(6);
    const b = lvrBatch(img, cachedTokens(model, img));
    const m = lossOf(model, b, { latentFeedback: 'pointer-argmax', hopLambda: 0.7 });
    // By hand: the teacher-forced forward (ROI tokens fed), the head-mapped hidden at p − 1, logits over the 4 tokens.
    const [hand, hits] = tf.tidy(() => {
      const visual = tf.tensor2d(b.visualTokens!, [4, D]);
      const { hidden } = model.forward({ batch: 1, length: b.length, inputIds: b.inputIds, positionIds: b.positionIds, visualTokens: visual, overrides: [{ kind: 'visual', positions: LAT, visualRows: ROWS }] });
      const q = model.latentFromHidden(tf.gather(hidden, tf.tensor1d(LAT.map((p) => p - 1), 'int32')) as tf.Tensor2D).arraySync() as number[][];
      const v = visual.arraySync() as number[][];
      let s = 0;
      let h = 0;
      q.forEach((qk, k) => {
        const logits = handPointerLogits(qk, v);
        s -= logSoftmax(logits)[ROWS[k] as number]!;
        if (logits.indexOf(Math.max(...logits)) === ROWS[k]) h++;
      });
      return [s / q.length, h / q.length];
    });
    expect(m['loss/hop']).toBeCloseTo(hand!, 4);
    expect(m['hop/acc']).toBeCloseTo(hits!, 6);
    expect(m.total).toBeCloseTo(m['loss/ce']! + 0.7 * hand!, 4);
    // The CE is the reference's teacher-forced CE; an explicit lvrLambda adds the regression back.
    expect(m['loss/ce']).toBeCloseTo(lossOf(model, b, {})['loss/ce']!, 5);
    const withReg = lossOf(model, b, { latentFeedback: 'pointer-argmax', hopLambda: 0.7, lvrLambda: 0.5 });
    expect(withReg.total).toBeCloseTo(m.total! + 0.5 * withReg['loss/lvr']!, 4);
    // Pixels instead of cached tokens: the same numbers.
    expect(lossOf(model, lvrBatch(img), { latentFeedback: 'pointer-argmax', hopLambda: 0.7 }).total).toBeCloseTo(m.total!, 4);
    model.dispose();
  });
});

describe('latent feedback: pointer-mix (self-fed)', () => {
  beforeAll(async () => { await initBackend({ prefer: 'wasm' }); });

  it('the mix is Σ softmax(cos(q, v − μ)/τ) v over the own image; a sharp pointer feeds (almost) exactly the target token', () => {
    const V = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 5, 5]];
    const img = { start: Int32Array.of(0), count: Int32Array.of(4) }; // row 4 is another image's token
    // Centred keys e_j − ¼·1: cos = 1 with token 2, −1/3 with the others: weights e^10 : e^−3.3 ×3 → within 2e-5 of it.
    const sharp = tf.tidy(() => pointerMix(tf.tensor2d([[-50, -50, 150, -50]]), tf.tensor2d(V), img).arraySync() as number[][]);
    expect(maxAbsDiff(sharp[0]!, V[2]!)).toBeLessThan(2e-5);
    const soft = tf.tidy(() => pointerMix(tf.tensor2d([[1, 2, 0, -1]]), tf.tensor2d(V), img).arraySync() as number[][]);
    const p = logSoftmax(handPointerLogits([1, 2, 0, -1], V.slice(0, 4))).map(Math.exp);
    expect(maxAbsDiff(soft[0]!, [0, 1, 2, 3].map((j) => p[j]!))).toBeLessThan(1e-6); // V[0..3] = I, nothing of row 4
  });

  it('passes reproduce the sequential loop: latent 2’s input depends on latent 1’s mix (latent 1 on <|lvr_start|>)', () => {
    const model = MiniQwenVL.create(tinyConfig({ lvr: { head: 'simple' } }), { seed: 8 });
    const img = image(9);
    const cached = cachedTokens(model, img);
    const b = lvrBatch(img, cached);
    const base = (v: tf.Tensor2D): ForwardInput => ({ batch: 1, length: b.length, inputIds: b.inputIds, positionIds: b.positionIds, visualTokens: v });
    const images = singleImage(3, 4);
    const spanIndex = spanIndexOf([{ first: 0, count: 3 }], 3);
    const [full, one, manual, passes] = tf.tidy(() => {
      const v = tf.tensor2d(cached, [4, D]);
      const f = pointerMixForward(model, base(v), LAT, images, spanIndex);
      const o = pointerMixForward(model, base(v), LAT, images, spanIndex, 1);
      // The inference recursion: latent k's input = mix of the hidden at p_k − 1 given latents < k fed their mixes.
      const fed: tf.Tensor2D[] = [];
      for (let k = 0; k < 3; k++) {
        const overrides: EmbedOverride[] = k > 0 ? [{ kind: 'rows', positions: LAT.slice(0, k), rows: tf.concat(fed, 0) as tf.Tensor2D }] : [];
        const { hidden } = model.forward({ ...base(v), overrides });
        const q = model.latentFromHidden(hidden.slice([(LAT[k] as number) - 1, 0], [1, D]) as tf.Tensor2D);
        fed.push(pointerMix(q, v, singleImage(1, 4)));
      }
      return [f.fed.arraySync(), o.fed.arraySync(), (tf.concat(fed, 0) as tf.Tensor2D).arraySync(), f.passes] as [number[][], number[][], number[][], number];
    });
    expect(passes).toBe(4); // the <|lvr|>-embedding pass + one per latent of the longest span
    for (let k = 0; k < 3; k++) expect(maxAbsDiff(full[k]!, manual[k]!)).toBeLessThan(1e-5);
    expect(maxAbsDiff(one[0]!, manual[0]!)).toBeLessThan(1e-5); // latent 1 only needs <|lvr_start|>
    expect(maxAbsDiff(one[1]!, manual[1]!)).toBeGreaterThan(1e-4); // latent 2 needs latent 1's mix fed first
    model.dispose();
  });

  it('loss = final-pass CE + hopLambda · hop CE; the gradient flows through the mixes; cached tokens = pixels', () => {
    const model = MiniQwenVL.create(tinyConfig({ lvr: { head: 'simple' } }), { seed: 10 });
    const img = image(11);
    const b = lvrBatch(img, cachedTokens(model, img));
    const m = lossOf(model, b, { latentFeedback: 'pointer-mix', hopLambda: 0.4 });
    expect(m['feedback/passes']).toBe(4);
    expect(m.total).toBeCloseTo(m['loss/ce']! + 0.4 * m['loss/hop']!, 5);
    expect(m['hop/acc']).toBeGreaterThanOrEqual(0);
    expect(Math.abs(m['loss/ce']! - lossOf(model, b, {})['loss/ce']!)).toBeGreaterThan(1e-5); // not teacher-forced
    expect(lossOf(model, lvrBatch(img), { latentFeedback: 'pointer-mix', hopLambda: 0.4 }).total).toBeCloseTo(m.total!, 4);
    // With hopLambda = 0 the LVR head reaches the loss only through the fed mixes.
    const head = param(model.params, 'lvr_head.fc2.weight');
    const o = resolveObjective({ kind: 'lvr', latentFeedback: 'pointer-mix', hopLambda: 0 });
    const g = tf.tidy(() => num(tf.norm(tf.variableGrads(() => computeLoss(model, b, o).loss, [head]).grads[head.name] as tf.Tensor)));
    expect(g).toBeGreaterThan(1e-7);
    model.dispose();
  });
});

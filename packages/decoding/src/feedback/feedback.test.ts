import { Rng } from '@lvr/core';
import { describe, expect, it } from 'vitest';
import { generate } from '../loop/generate.js';
import type { GenerateResult } from '../loop/trace.js';
import type { StepImage } from '../step-model.js';
import { ScriptedStepModel, STUB_TOKENS, type ScriptedStepModelOptions } from '../testing/stub-model.js';
import { createLatentFeedback } from './create-feedback.js';
import { POINTER_TEMPERATURE, pointerLogits } from './pointer-logits.js';

const { lvrStartId: S, lvrEndId: E, eosId: EOS } = STUB_TOKENS;
const [x1, x2, x3, x4, a] = [10, 11, 12, 13, 14];
const D = 4;

/** Unit vector e_j (D) times s. */
const e = (j: number, s = 1): Float32Array => Float32Array.from({ length: D }, (_, k) => (k === j ? s : 0));
/** Rows concatenated (n × D). */
const cat = (...rows: Float32Array[]): Float32Array => Float32Array.from(rows.flatMap((r) => [...r]));
const row = (m: Float32Array, j: number): number[] => [...m.subarray(j * D, (j + 1) * D)];

/** Stub whose latent at absolute position q is 5·e_{pick(q)}. */
function pointingModel(scripts: number[][], pick: (q: number, row: number) => number, extra: Partial<ScriptedStepModelOptions> = {}): ScriptedStepModel {
  return new ScriptedStepModel({ scripts, latent: (_h, c) => e(pick(c.position, c.row), 5), ...extra });
}

function fed(model: ScriptedStepModel, r: number): number[][] {
  return model.received[r]!.filter((x) => x.input.kind === 'embedding').map((x) => (x.input.kind === 'embedding' ? [...x.input.vector] : []));
}

const prompt = (visualTokens?: Float32Array, images?: StepImage[]): { prompt: { inputIds: Int32Array; visualTokens?: Float32Array; images?: StepImage[] } } => ({
  prompt: { inputIds: Int32Array.of(20, 21, 22), ...(visualTokens ? { visualTokens } : {}), ...(images ? { images } : {}) },
});

describe('latent feedback', () => {
  it('pointer-argmax feeds the row\'s visual token with the largest cos(latent, v)/τ and records its index, per row', async () => {
    // Visual tokens: 3 per row, distinct between rows; token j of row r is (e_j + 0.1 r)·(1 + j).
    const tokens = [0, 1].map((r) => cat(...[0, 1, 2].map((j) => e(j, 1 + j).map((x) => x + 0.1 * r))));
    // Prompt length 3: the span's latents come from positions 3, 4, 5 (row 0) → pointers q mod 3 (row 0), 2 − q mod 3 (row 1).
    const model = pointingModel([[S, x1, x2, x3, a, EOS], [S, x1, x2, x3, a, EOS]], (q, r) => (r === 0 ? q % 3 : 2 - (q % 3)));
    const res = await generate(model, [prompt(tokens[0]), prompt(tokens[1])], { strategy: { kind: 'fixed', steps: 3 }, feedback: 'pointer-argmax', seed: 1 });
    expect(res[0]!.latentSpans[0]!.pointer).toEqual([0, 1, 2]);
    expect(res[1]!.latentSpans[0]!.pointer).toEqual([2, 1, 0]);
    for (const r of [0, 1]) {
      const want = res[r]!.latentSpans[0]!.pointer!.map((j) => row(tokens[r]!, j));
      expect(fed(model, r)).toEqual(want); // the model received exactly these tokens
      expect(res[r]!.latentSpans[0]!.vectors.map((v) => [...v])).toEqual(want); // and the trace records them
    }
  });

  it('pointer-mix feeds Σ softmax(cos(latent, v − μ)/τ)_j v_j (hand-computed) and records the argmax', async () => {
    const rng = new Rng(3);
    const tokens = Float32Array.from({ length: 5 * D }, () => rng.normal());
    const latents = [Float32Array.of(0.5, -1, 2, 0.3), Float32Array.of(-2, 0.1, 0.4, 1)];
    const model = new ScriptedStepModel({ scripts: [[S, x1, x2, a, EOS]], latent: (_h, c) => latents[(c.position + 1) % 2]!.slice() });
    const [r] = await generate(model, [prompt(tokens)], { strategy: { kind: 'fixed', steps: 2 }, feedback: { kind: 'pointer-mix' }, seed: 1 });
    const span = r!.latentSpans[0]!;
    latents.forEach((l, t) => {
      const norm = (v: number[]): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0) + 1e-12);
      const mu = [0, 1, 2, 3].map((k) => [0, 1, 2, 3, 4].reduce((s, j) => s + tokens[j * D + k]! / 5, 0)); // keys centred on the mean token
      const tok = (j: number): number[] => [0, 1, 2, 3].map((k) => tokens[j * D + k]! - mu[k]!);
      const logits = [0, 1, 2, 3, 4].map((j) => [0, 1, 2, 3].reduce((s, k) => s + l[k]! * tok(j)[k]!, 0) / (norm([...l]) * norm(tok(j)) * POINTER_TEMPERATURE));
      const z = logits.reduce((s, x) => s + Math.exp(x), 0);
      const mix = [0, 1, 2, 3].map((k) => logits.reduce((s, x, j) => s + (Math.exp(x) / z) * tokens[j * D + k]!, 0));
      [...span.vectors[t]!].forEach((v, k) => expect(v).toBeCloseTo(mix[k]!, 5));
      expect(span.pointer![t]).toBe(logits.indexOf(Math.max(...logits)));
      [...pointerLogits(l, tokens)].forEach((x, j) => expect(x).toBeCloseTo(logits[j]!, 4));
    });
    expect(fed(model, 0)).toEqual(span.vectors.map((v) => [...v]));
  });

  it('pointerLogits centre the keys: adding one vector to every token changes nothing', () => {
    const rng = new Rng(8);
    const tokens = Float32Array.from({ length: 5 * D }, () => rng.normal());
    const shifted = tokens.map((x, i) => x + 40 * ((i % D) + 1));
    const l = Float32Array.of(0.3, -1, 0.7, 2);
    const [a, b] = [pointerLogits(l, tokens), pointerLogits(l, shifted)];
    a.forEach((x, j) => expect(b[j]).toBeCloseTo(x, 3));
    expect(Math.max(...a) - Math.min(...a)).toBeGreaterThan(1); // the centred cosines still differ
  });

  it('pause feeds table rows 0, 1, …, clamped at P − 1, restarting in every span; no pointer recorded', async () => {
    const table = cat(e(0, 7), e(1, 8)); // P = 2
    const model = new ScriptedStepModel({ scripts: [[S, x1, x2, x3, x4, E, a, S, x1, x2, E, EOS]] });
    const [r] = await generate(model, [prompt()], { strategy: { kind: 'fixed', steps: 4 }, feedback: { kind: 'pause', table }, seed: 1, maxNewTokens: 20 });
    const spans = r!.latentSpans;
    expect(spans.map((s) => s.steps)).toEqual([4, 4]);
    const want = [e(0, 7), e(1, 8), e(1, 8), e(1, 8)].map((v) => [...v]);
    expect(spans.map((s) => s.vectors.map((v) => [...v]))).toEqual([want, want]);
    expect(fed(model, 0)).toEqual([...want, ...want]);
    expect(spans[0]!.pointer).toBeUndefined();
  });

  it('latent-end composes: it compares the FED vector with the end embedding (pause row 1, pointer token 1)', async () => {
    const table = cat(e(0, 7), e(1, 8), e(2, 9));
    const pause = new ScriptedStepModel({ scripts: [[S, x1, x2, x3, x4, a, EOS]], latentEndEmbedding: e(1, 8) });
    const [p] = await generate(pause, [prompt()], { strategy: { kind: 'latent-end', maxSteps: 6 }, feedback: { kind: 'pause', table }, seed: 1 });
    expect(p!.latentSpans[0]).toMatchObject({ steps: 2, stopReason: 'strategy' });

    const tokens = cat(e(0, 1), e(1, 2), e(2, 3));
    const pointer = pointingModel([[S, x1, x2, x3, x4, a, EOS]], (q) => (q < 5 ? 0 : 1), { latentEndEmbedding: e(1, 2) });
    const [q] = await generate(pointer, [prompt(tokens)], { strategy: { kind: 'latent-end', maxSteps: 6 }, feedback: 'pointer-argmax', seed: 1 });
    expect(q!.latentSpans[0]).toMatchObject({ steps: 3, stopReason: 'strategy', pointer: [0, 0, 1] });
    // the strategy still sees the model's own latent: mode-switch on the sampled token is unaffected
    const [m] = await generate(pointingModel([[S, x1, x2, E, a, EOS]], () => 2), [prompt(tokens)], { strategy: { kind: 'mode-switch', maxSteps: 8 }, feedback: 'pointer-argmax', seed: 1 });
    expect(m!.latentSpans[0]).toMatchObject({ steps: 2, pointer: [2, 2] });
  });

  it('converge composes: two equal pointed tokens in a row end the span', async () => {
    const tokens = cat(e(0, 1), e(1, 2), e(2, 3));
    const model = pointingModel([[S, x1, x2, x3, x4, a, EOS]], (q) => [0, 1, 2, 2, 2][q - 3] ?? 0);
    const [r] = await generate(model, [prompt(tokens)], { strategy: { kind: 'converge', threshold: 0.999, maxSteps: 8 }, feedback: 'pointer-argmax', seed: 1 });
    expect(r!.latentSpans[0]).toMatchObject({ steps: 4, stopReason: 'strategy', pointer: [0, 1, 2, 2] });
  });

  it('latentTransform applies to the vector the feedback chose (sees it, the model latent and the pointer); zeros replace what is fed', async () => {
    const tokens = cat(e(0, 1), e(1, 2), e(2, 3));
    const model = pointingModel([[S, x1, x2, a, EOS]], (q) => (q === 3 ? 2 : 1));
    const seen: unknown[] = [];
    const [r] = await generate(model, [prompt(tokens)], {
      strategy: { kind: 'fixed', steps: 2 }, feedback: 'pointer-argmax', seed: 1,
      latentTransform: (c) => { seen.push([[...c.vector], [...(c.latent ?? [])], c.pointer, c.step]); return new Float32Array(D); },
    });
    expect(seen).toEqual([[[...e(2, 3)], [...e(2, 5)], 2, 0], [[...e(1, 2)], [...e(1, 5)], 1, 1]]);
    expect(fed(model, 0)).toEqual([[0, 0, 0, 0], [0, 0, 0, 0]]);
    expect(r!.latentSpans[0]!.vectors.map((v) => [...v])).toEqual([[0, 0, 0, 0], [0, 0, 0, 0]]);
    expect(r!.latentSpans[0]!.pointer).toEqual([2, 1]); // the model's choice, before the probe
  });

  it('default and \'hidden\' feed the model latent exactly as before (same trace as without the option)', async () => {
    const run = async (feedback?: 'hidden'): Promise<GenerateResult> => (await generate(new ScriptedStepModel({ scripts: [[S, x1, x2, a, EOS]], latent: (h) => h.map((x) => 3 * x) }), [prompt()], { strategy: { kind: 'fixed', steps: 2 }, seed: 1, ...(feedback ? { feedback } : {}) }))[0]!;
    const [plain, hidden] = [await run(), await run('hidden')];
    expect(hidden).toEqual(plain);
    expect(plain.latentSpans[0]!.vectors[0]![0]).toBe(9); // 3 × position 3
    expect(plain.latentSpans[0]!.pointer).toBeUndefined();
  });

  it('pointer feedback encodes the row\'s images with encodeImages when no visualTokens are given', async () => {
    class Encoding extends ScriptedStepModel {
      calls = 0;
      async encodeImages(images: readonly StepImage[]): Promise<Float32Array> {
        this.calls++;
        return cat(...images.map((im) => e(im.gridThw.h % D, 2)));
      }
    }
    const model = new Encoding({ scripts: [[S, x1, a, EOS]], latent: () => e(3, 1) });
    const img = (h: number): StepImage => ({ pixelValues: new Float32Array(1), gridThw: { t: 1, h, w: 1 } });
    const [r] = await generate(model, [prompt(undefined, [img(1), img(3)])], { strategy: { kind: 'fixed', steps: 1 }, feedback: 'pointer-argmax', seed: 1 });
    expect(model.calls).toBe(1);
    expect(r!.latentSpans[0]!.pointer).toEqual([1]);
    expect(fed(model, 0)).toEqual([[...e(3, 2)]]);
  });

  it('clear errors: no visual tokens, no encodeImages, pause without a table or of the wrong size, unknown kind', async () => {
    const model = new ScriptedStepModel({ scripts: [[S, x1, a, EOS]] });
    await expect(generate(model, [prompt()], { feedback: 'pointer-argmax', seed: 1 })).rejects.toThrow(/row 0 has no visual tokens.*PrefillRow.visualTokens/);
    const img: StepImage = { pixelValues: new Float32Array(1), gridThw: { t: 1, h: 1, w: 1 } };
    await expect(generate(model, [prompt(undefined, [img])], { feedback: 'pointer-mix', seed: 1 })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(generate(model, [prompt(new Float32Array(6))], { feedback: 'pointer-mix', seed: 1 })).rejects.toMatchObject({ code: 'SHAPE_MISMATCH' });
    await expect(generate(model, [prompt()], { feedback: 'pause' as never, seed: 1 })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(generate(model, [prompt()], { feedback: { kind: 'pause', table: new Float32Array(6) }, seed: 1 })).rejects.toThrow(/multiple of the model's hidden size 4/);
    expect(() => createLatentFeedback('nearest' as never)).toThrow(/hidden, pointer-argmax, pointer-mix, pause/);
    expect(() => createLatentFeedback({ kind: 'pause', table: Float32Array.of(1, Number.NaN) })).toThrow(/value 1 is NaN/);
  });
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { generate, type GenerateOptions, type GenerateResult, type PrefillRow } from '@lvr/decoding';
import { maxAbsLogpDiff } from '@lvr/rl';
import { initBackend } from '../backend.js';
import { patchRowWidth } from '../config.js';
import { TfjsStepModel } from '../inference/tfjs-step-model.js';
import { MiniQwenVL } from '../models/vlm.js';
import { expectNoLeak, tinyConfig, TINY_TOKENS } from '../testing.js';
import { buildReplayBatch, replayLogprobs, type ReplayBatch } from './replay.js';

const T = TINY_TOKENS;

function image(seed: number, h = 4, w = 4): NonNullable<PrefillRow['images']>[number] {
  const rng = new Rng(seed);
  return { pixelValues: Float32Array.from({ length: h * w * patchRowWidth(tinyConfig().vision) }, () => rng.normal()), gridThw: { t: 1, h, w } };
}

// Prompts of different lengths: with an image, with a wider image and a trailing <|lvr_start|> (a span opens at
// generated index 0), and text only.
const prompts: PrefillRow[] = [
  { inputIds: Int32Array.of(20, T.visionStartId, 1, 1, 1, 1, T.visionEndId, 21, 22), images: [image(1)] },
  { inputIds: Int32Array.of(23, T.visionStartId, 1, 1, 1, 1, 1, 1, T.visionEndId, 24, T.lvrStartId), images: [image(2, 4, 6)] },
  { inputIds: Int32Array.of(25, 26, 27, 28, 29, 30) },
];

/** Two completions per prompt; rows 0, 2, 4 are made to emit <|lvr_start|> at generated index 2. */
async function rollout(model: MiniQwenVL, strategy: GenerateOptions['strategy']): Promise<{ rows: PrefillRow[]; traces: GenerateResult[] }> {
  const rows = prompts.flatMap((p) => [p, p]);
  const traces = await generate(new TfjsStepModel(model), rows.map((prompt, i) => ({ prompt, seed: 100 + i })), {
    strategy,
    sampler: { kind: 'sample', temperature: 0.9, topK: 50, topP: 1 },
    maxNewTokens: 14,
    suppressIds: [T.padId, T.imagePadId, T.visionStartId, T.visionEndId],
    allowedTokens: (row, out) => (row % 2 === 0 && out.length === 2 ? [T.lvrStartId] : undefined),
    seed: 0,
  });
  return { rows, traces };
}

function spansOf(traces: GenerateResult[]): { starts: number[]; steps: number[] } {
  const s = traces.flatMap((t) => t.latentSpans);
  return { starts: s.map((x) => x.start), steps: s.map((x) => x.steps) };
}

describe('replay invariant (tfjs): one teacher-forced forward reproduces the sampled log-probs', () => {
  beforeAll(async () => { await initBackend({ prefer: 'wasm' }); });

  it('fixed-step strategy, batch of 6, three prompt lengths, images, spans at index 0 and mid-completion', async () => {
    const model = MiniQwenVL.create(tinyConfig(), { seed: 7 });
    const { rows, traces } = await rollout(model, { kind: 'fixed', steps: 3 });
    const spans = spansOf(traces);
    expect(spans.starts).toContain(0);
    expect(spans.starts).toContain(3);
    expect(Math.max(...spans.steps)).toBe(3);
    expect(new Set(traces.map((t) => t.outputIds.length)).size).toBeGreaterThan(1);
    const batch = buildReplayBatch(rows, traces);
    let diff = Number.NaN;
    await expectNoLeak(() => {
      const r = replayLogprobs(model, batch, { temperature: 0.9, withGrad: false });
      diff = maxAbsLogpDiff(traces, r.values, r.length);
    });
    expect(diff).toBeLessThanOrEqual(1e-4);
    model.dispose();
  });

  it('latent-end strategy (learned end vector): spans ending on the end vector and on the budget replay exactly', async () => {
    const model = MiniQwenVL.create(tinyConfig({ lvr: { latentEndEmbedding: true } }), { seed: 8 });
    // τ = 0.02 (reference default): a random model never gets that close → every span runs to the budget of 4;
    // τ = 1e6: the first fed vector is "close" → every span stops on the strategy after exactly 1 vector.
    for (const [threshold, reason, steps] of [[0.02, 'budget', 4], [1e6, 'strategy', 1]] as const) {
      const { rows, traces } = await rollout(model, { kind: 'latent-end', threshold, maxSteps: 4 });
      const spans = traces.flatMap((t) => t.latentSpans).filter((s) => s.stopReason !== 'max-new-tokens');
      expect(spans.length).toBeGreaterThanOrEqual(4);
      expect(spans.every((s) => s.stopReason === reason && s.steps === steps)).toBe(true);
      const r = replayLogprobs(model, buildReplayBatch(rows, traces), { temperature: 0.9, withGrad: false });
      expect(maxAbsLogpDiff(traces, r.values, r.length)).toBeLessThanOrEqual(1e-4);
    }
    model.dispose();
  });

  it('the gradient path gives the same values; a replay without the recorded latents does not (the test can fail)', async () => {
    const model = MiniQwenVL.create(tinyConfig(), { seed: 9 });
    const { rows, traces } = await rollout(model, { kind: 'fixed', steps: 3 });
    const batch = buildReplayBatch(rows, traces);
    const plain = replayLogprobs(model, batch, { temperature: 0.9, withGrad: false });
    const withGrad = replayLogprobs(model, batch, { temperature: 0.9, withGrad: true });
    expect(withGrad.tensor?.shape).toEqual([6, plain.length]);
    expect(maxAbsLogpDiff(traces, withGrad.values, withGrad.length)).toBeLessThanOrEqual(1e-4);
    withGrad.tensor?.dispose();
    const noLatents: ReplayBatch = { rows: batch.rows.map((r) => ({ ...r, latents: new Map() })) };
    const wrong = replayLogprobs(model, noLatents, { temperature: 0.9, withGrad: false });
    expect(maxAbsLogpDiff(traces, wrong.values, wrong.length)).toBeGreaterThan(1e-3);
    const wrongT = replayLogprobs(model, batch, { temperature: 1, withGrad: false });
    expect(maxAbsLogpDiff(traces, wrongT.values, wrongT.length)).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('gradients reach the weights through the latent overrides and the logits', async () => {
    const model = MiniQwenVL.create(tinyConfig(), { seed: 10 });
    const { rows, traces } = await rollout(model, { kind: 'fixed', steps: 2 });
    const batch = buildReplayBatch(rows, traces);
    const vars = [...model.params.values()].map((e) => e.variable);
    vars.forEach((v) => { v.trainable = true; });
    const { value, grads } = tf.variableGrads(() => tf.sum(replayLogprobs(model, batch, { temperature: 0.9, withGrad: true }).tensor!) as tf.Scalar, vars);
    const norms = Object.values(grads).map((g) => tf.tidy(() => tf.norm(g).dataSync()[0] as number));
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(norms.filter((n) => n > 0).length).toBeGreaterThan(vars.length / 2);
    tf.dispose([value, ...Object.values(grads)]);
    model.dispose();
  });

  it('rejects mismatched prompts and a fed <|image_pad|>', async () => {
    const model = MiniQwenVL.create(tinyConfig(), { seed: 11 });
    const { rows, traces } = await rollout(model, { kind: 'fixed', steps: 1 });
    expect(() => buildReplayBatch(rows.slice(1).concat(rows[0]!), traces)).toThrow(/prompt has/);
    const bad: ReplayBatch = { rows: [{ promptIds: Int32Array.of(20, 21), outputIds: [T.imagePadId, 30], latents: new Map() }] };
    expect(() => replayLogprobs(model, bad, { temperature: 1, withGrad: false })).toThrow(/image_pad/);
    model.dispose();
  });
});

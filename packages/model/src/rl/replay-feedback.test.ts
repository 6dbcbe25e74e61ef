import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { generate, type LatentFeedbackSpec, type PrefillRow } from '@lvr/decoding';
import { maxAbsLogpDiff } from '@lvr/rl';
import { initBackend } from '../backend.js';
import { patchRowWidth } from '../config.js';
import { modelLatentFeedback } from '../inference/latent-feedback-config.js';
import { TfjsStepModel } from '../inference/tfjs-step-model.js';
import { MiniQwenVL } from '../models/vlm.js';
import { tinyConfig, TINY_TOKENS } from '../testing.js';
import { buildReplayBatch, replayLogprobs } from './replay.js';

const T = TINY_TOKENS;

function image(seed: number, h: number, w: number): NonNullable<PrefillRow['images']>[number] {
  const rng = new Rng(seed);
  return { pixelValues: Float32Array.from({ length: h * w * patchRowWidth(tinyConfig().vision) }, () => rng.normal()), gridThw: { t: 1, h, w } };
}

/**
 * Sampled rollouts (T = 0.9) with a non-reference latent feedback, then one teacher-forced replay: the trace holds
 * the vectors FED (visual tokens, mixes, pause rows), so GRPO_latent's replay reproduces the sampled log-probs.
 */
async function rolloutAndReplay(model: MiniQwenVL, feedback: LatentFeedbackSpec): Promise<{ diff: number; pointers: number[][]; fed: Float32Array[] }> {
  const prompts: PrefillRow[] = [
    { inputIds: Int32Array.of(20, T.visionStartId, 1, 1, 1, 1, T.visionEndId, 21, 22), images: [image(1, 4, 4)] },
    { inputIds: Int32Array.of(23, T.visionStartId, 1, 1, 1, 1, 1, 1, T.visionEndId, 24, T.lvrStartId), images: [image(2, 4, 6)] },
    // text only, with the visual tokens given by the caller (the perception-free variant's way)
    { inputIds: Int32Array.of(25, 26, 27, 28, T.lvrStartId), visualTokens: Float32Array.from({ length: 5 * 16 }, (_, i) => Math.sin(i)) },
  ];
  const rows = prompts.flatMap((p) => [p, p]);
  const traces = await generate(new TfjsStepModel(model), rows.map((prompt, i) => ({ prompt, seed: 100 + i })), {
    strategy: { kind: 'fixed', steps: 3 }, feedback,
    sampler: { kind: 'sample', temperature: 0.9, topK: 50, topP: 1 },
    maxNewTokens: 12,
    suppressIds: [T.padId, T.imagePadId, T.visionStartId, T.visionEndId],
    allowedTokens: (row, out) => (row % 2 === 0 && out.length === 2 ? [T.lvrStartId] : undefined),
    seed: 0,
  });
  const spans = traces.flatMap((t) => t.latentSpans).filter((s) => s.steps > 0);
  expect(spans.length).toBeGreaterThanOrEqual(5);
  const r = replayLogprobs(model, buildReplayBatch(rows, traces), { temperature: 0.9, withGrad: false });
  return { diff: maxAbsLogpDiff(traces, r.values, r.length), pointers: spans.map((s) => [...(s.pointer ?? [])]), fed: spans.flatMap((s) => [...s.vectors]) };
}

describe('GRPO_latent replay with the latent feedback arms (tfjs)', () => {
  beforeAll(async () => { await initBackend({ prefer: 'wasm' }); });

  it('pointer-argmax: the fed visual tokens replay with max |Δ log p| < 1e-4', async () => {
    const model = MiniQwenVL.create(tinyConfig(), { seed: 7 });
    const { diff, pointers, fed } = await rolloutAndReplay(model, 'pointer-argmax');
    expect(diff).toBeLessThan(1e-4);
    expect(pointers.every((p) => p.length > 0 && p.every((j) => Number.isInteger(j) && j >= 0 && j < 6))).toBe(true);
    // the fed vectors are visual tokens of the row's image, not the model's hidden state
    const tokens = await new TfjsStepModel(model).encodeImages([image(1, 4, 4)]);
    const rowsOf = Array.from({ length: tokens.length / 16 }, (_, j) => [...tokens.subarray(j * 16, (j + 1) * 16)].join());
    expect(rowsOf).toContain([...fed[0]!].join());
    model.dispose();
  });

  it('pointer-mix and pause replay exactly too', async () => {
    const model = MiniQwenVL.create(tinyConfig({ lvr: { pauseTokens: 2 } }), { seed: 8 });
    expect((await rolloutAndReplay(model, 'pointer-mix')).diff).toBeLessThan(1e-4);
    const pause = modelLatentFeedback(model, 'pause');
    const { diff, fed } = await rolloutAndReplay(model, pause);
    expect(diff).toBeLessThan(1e-4);
    const table = (pause as { table: Float32Array }).table;
    expect([...fed[0]!]).toEqual([...table.subarray(0, 16)]);
    expect([...fed[2]!]).toEqual([...table.subarray(16, 32)]); // t = 2 → row min(2, P − 1) = 1
    model.dispose();
  });
});

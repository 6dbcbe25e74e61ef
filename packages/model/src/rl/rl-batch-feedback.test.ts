import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { LvrTokenizer, addLivrLatentTokens, generateSuite } from '@lvr/data';
import { resolveGrpoConfig, type RewardFn, type RolloutPrompt } from '@lvr/rl';
import { initBackend } from '../backend.js';
import { resolveModelConfig, type ModelConfig } from '../config.js';
import { param } from '../models/params.js';
import { MiniQwenVL } from '../models/vlm.js';
import { modelConfigFor } from '../recipes/model-config.js';
import { saveModel } from '../recipes/model-io.js';
import { MODEL_SIZES } from '../recipes/sizes.js';
import { grpoLatent } from './recipe.js';
import { makeRlBatch } from './rl-batch.js';

let dir = '';
let tokJson: Record<string, unknown>;
let config: Readonly<ModelConfig>;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'lvr-rl-feedback-'));
  const s = await generateSuite({ outDir: join(dir, 'suite'), seed: 5, trainCount: 4, testCount: 2 });
  tokJson = addLivrLatentTokens(JSON.parse(await readFile(s.paths.tokenizer, 'utf8')) as Record<string, unknown>, 4);
  const base = modelConfigFor(MODEL_SIZES.tiny, LvrTokenizer.fromJson(tokJson));
  config = resolveModelConfig({ ...base, lvr: { ...base.lvr, pauseTokens: 2 } });
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('GRPO_latent rollouts use the policy\'s latent feedback', () => {
  it('makeRlBatch (pause): rollouts feed the policy\'s current pause rows and replay within 1e-4', async () => {
    const model = MiniQwenVL.create(config, { seed: 3 });
    const t = config.tokens;
    const tok = LvrTokenizer.fromJson(tokJson);
    const prompts: RolloutPrompt[] = [0, 1].map((k) => ({
      prompt: { inputIds: Int32Array.from([...tok.encode(k === 0 ? 'what colour' : 'how many'), t.lvrStartId]) },
      sample: { id: `p${k}`, solution: '<answer> red </answer>' },
    }));
    const c = resolveGrpoConfig({ groupSize: 2, promptsPerStep: 2, mu: 2, maxNewTokens: 6, strategy: { kind: 'fixed', steps: 3 }, suppressIds: [t.padId, t.imagePadId] });
    const ctx = { policy: model, ref: undefined, tokenizer: tok, config: c, latentFeedback: 'pause' as const, ids: { lvrStartId: t.lvrStartId, lvrId: t.lvrId, lvrEndId: t.lvrEndId, padId: t.padId, eosIds: [t.eosId] } };
    const batch = await makeRlBatch(ctx, prompts, new Rng(1), 0);
    const table = param(model.params, 'lvr_pause_emb').dataSync() as Float32Array;
    const spans = batch.scored.batch.traces.map((tr) => tr.latentSpans[0]!);
    expect(spans.map((s) => s.steps)).toEqual([3, 3, 3, 3]);
    for (const s of spans) expect(s.vectors.map((v) => [...v])).toEqual([0, 1, 1].map((r) => [...table.subarray(r * config.hiddenSize, (r + 1) * config.hiddenSize)]));
    expect(batch.replayDiff).toBeLessThanOrEqual(1e-4);
    // without the feedback the rollout would have fed the hidden states instead
    const plain = await makeRlBatch({ ...ctx, latentFeedback: undefined }, prompts, new Rng(1), 0);
    expect([...plain.scored.batch.traces[0]!.latentSpans[0]!.vectors[0]!]).not.toEqual([...table.subarray(0, config.hiddenSize)]);
    model.dispose();
  });

  it('grpoLatent keeps latent_feedback in the output folder\'s lvr_training.json', async () => {
    const model = MiniQwenVL.create(config, { seed: 4 });
    await saveModel(join(dir, 'pause'), model, tokJson, { mode: 'lvr', latent_feedback: 'pause' });
    model.dispose();
    const length: RewardFn = (b) => b.completions.map((x) => Math.min(1, x.length / 120));
    const r = await grpoLatent({
      modelDir: join(dir, 'pause'), data: join(dir, 'suite'), outDir: join(dir, 'rl'), steps: 1, groupSize: 2, promptsPerStep: 1, strategy: 'fixed:2', seed: 3,
      grpo: { maxNewTokens: 6, maskRule: 'text', rewards: [{ name: 'length', fn: length }] }, trainer: { warmupRatio: 0, lossCurve: false, logEvery: 100 },
    });
    r.model.dispose();
    expect(JSON.parse(await readFile(join(dir, 'rl', 'lvr_training.json'), 'utf8'))).toEqual({ mode: 'rl', latent_feedback: 'pause' });
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import type { StopStrategyConfig } from '../strategies/registry.js';
import type { StopStrategy } from '../strategies/stop-strategy.js';
import { ScriptedStepModel, STUB_TOKENS } from '../testing/stub-model.js';
import { generate } from './generate.js';
import type { GenerateOptions } from './generate-options.js';

const { lvrStartId: S, lvrEndId: E } = STUB_TOKENS;
const w = 15;
const prompts = [{ prompt: { inputIds: Int32Array.of(20, 21, 22) } }];

/** A model that never signals an end: <|lvr_end|> logit −50, latents far from E and never converging. */
function neverEnding(script: readonly number[], afterScript = w): ScriptedStepModel {
  return new ScriptedStepModel({
    scripts: [script],
    afterScript,
    latentEndEmbedding: new Float32Array(4).fill(100),
    hidden: (c) => Float32Array.of(Math.cos(c.position), Math.sin(c.position), 0, 0), // successive cosine = cos 1 ≈ 0.54
    logits: (_c, row) => { row[E] = -50; return row; },
  });
}

const alwaysContinue: StopStrategy = { kind: 'always-continue', needs: {}, decide: () => 'continue' };

describe('no strategy can exceed its budget (§9 item 19, now bounded)', () => {
  const cases: Array<[string, StopStrategyConfig | StopStrategy, Partial<GenerateOptions>, number]> = [
    ['mode-switch (reference default, would loop forever)', { kind: 'mode-switch' }, {}, 64],
    ['mode-switch maxSteps', { kind: 'mode-switch', maxSteps: 7 }, {}, 7],
    ['latent-end', { kind: 'latent-end', maxSteps: 16 }, {}, 16],
    ['converge', { kind: 'converge' }, { maxLatentSteps: 12 }, 12],
    ['end-prob', { kind: 'end-prob', maxSteps: 9 }, {}, 9],
    ['custom always-continue', alwaysContinue, { maxLatentSteps: 5 }, 5],
  ];
  for (const [name, strategy, extra, budget] of cases) {
    it(`${name}: the span stops after ${budget} vectors (budget), then text runs to maxNewTokens`, async () => {
      const model = neverEnding([S]);
      const [r] = await generate(model, prompts, { strategy, maxNewTokens: 100, ...extra });
      expect(r!.latentSpans.map((s) => [s.start, s.steps, s.stopReason])).toEqual([[1, budget, 'budget']]);
      expect(r!.inputs.filter((k) => k === 'latent')).toHaveLength(budget);
      expect(r!.outputIds).toHaveLength(100);
      expect(r!.finishReason).toBe('max-new-tokens');
      expect(model.steps).toBe(99); // the 100th token is never fed
    });
  }

  it('maxNewTokens counts latent positions: a span still going at the limit ends with max-new-tokens', async () => {
    const model = neverEnding([S]);
    const [r] = await generate(model, prompts, { strategy: { kind: 'mode-switch' }, maxNewTokens: 10 });
    expect(r!.outputIds).toHaveLength(10);
    expect(r!.latentSpans.map((s) => [s.start, s.steps, s.stopReason, s.sampledTokens.length])).toEqual([[1, 8, 'max-new-tokens', 8]]);
    expect(r!.inputs).toEqual(['token', ...Array<string>(8).fill('latent'), 'token']);
    expect(r!.finishReason).toBe('max-new-tokens');
  });

  it('fixed N larger than the default cap raises the cap; an explicit smaller cap is CONFIG_INVALID', async () => {
    const [r] = await generate(neverEnding([S]), prompts, { strategy: { kind: 'fixed', steps: 70 }, maxNewTokens: 80 });
    expect(r!.latentSpans[0]).toMatchObject({ steps: 70, stopReason: 'strategy' });
    await expect(generate(neverEnding([S]), prompts, { strategy: { kind: 'fixed', steps: 70 }, maxLatentSteps: 10 }))
      .rejects.toThrow(/maxLatentSteps must be ≥ the strategy 'fixed' budget of 70/);
  });

  it('a model that always wants <|lvr_start|>: every re-entered span is bounded and the row stops at maxNewTokens', async () => {
    const model = neverEnding([], S);
    const [r] = await generate(model, prompts, { strategy: alwaysContinue, maxLatentSteps: 3, maxNewTokens: 40 });
    expect(r!.outputIds).toHaveLength(40);
    // S at 0, latents 1..3, budget exit feeds the sampled S at 4 → next span at 5, …: period 4
    expect(r!.latentSpans.map((s) => s.start)).toEqual([1, 5, 9, 13, 17, 21, 25, 29, 33, 37]);
    expect(r!.latentSpans.every((s) => s.steps <= 3)).toBe(true);
    expect(r!.latentSpans.at(-1)).toMatchObject({ steps: 2, stopReason: 'max-new-tokens' });
  });

  it('maxLatentSteps = 0 disables latent reasoning (every span ends at entry with budget)', async () => {
    const model = neverEnding([S, 10, 11, STUB_TOKENS.eosId]);
    const [r] = await generate(model, prompts, { strategy: alwaysContinue, maxLatentSteps: 0 });
    expect(r!.latentSpans.map((s) => [s.steps, s.stopReason])).toEqual([[0, 'budget']]);
    expect(model.received[0]!.every((x) => x.input.kind === 'token')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { generate } from '@lvr/decoding';
import { ScriptedStepModel, STUB_TOKENS } from '@lvr/decoding/testing';
import { resolveGrpoConfig } from './config.js';
import { completionText, rolloutGroups, type RolloutPrompt } from './rollout.js';
import { maxAbsLogpDiff, padRows, scoreRollouts } from './scoring.js';

const T = STUB_TOKENS;
const NAMES: Record<number, string> = {
  [T.lvrStartId]: '<|lvr_start|>', [T.lvrId]: '<|lvr|>', [T.lvrLatentEndId]: '<|lvr_latent_end|>', [T.lvrEndId]: '<|lvr_end|>',
  [T.eosId]: '<|im_end|>', 10: '<answer>', 11: '</answer>', 12: ' red ', 13: ' blue ', 14: '\n',
};
const decoder = { decode: (ids: ArrayLike<number>) => Array.from(ids, (i) => NAMES[i] ?? `w${i}`).join('') };
const ids = { lvrStartId: T.lvrStartId, lvrId: T.lvrId, lvrEndId: T.lvrEndId, padId: T.padId, eosIds: [T.eosId] };

/** A stub whose answer token (red / blue) is random: the scripted logit margin is 0 on the answer position. */
function model(): ScriptedStepModel {
  return new ScriptedStepModel({
    scripts: () => [T.lvrStartId, 20, 21, T.lvrEndId, 14, 10, 12, 11, T.eosId],
    logits: (ctx, scripted) => {
      const j = ctx.position + 1 - ctx.prompt.length;
      if (j !== 6) return scripted;
      const out = new Float32Array(scripted.length).fill(-30);
      out[12] = 0;
      out[13] = 0;
      return out;
    },
  });
}

const prompts: RolloutPrompt[] = [
  { prompt: { inputIds: Int32Array.of(20, 21, 22) }, sample: { id: 'a', solution: '<answer> red </answer>' } },
  { prompt: { inputIds: Int32Array.of(23, 24) }, sample: { id: 'b', solution: '<answer> blue </answer>' } },
];

describe('rollouts', () => {
  it('G completions per prompt, prompt-major, each row with its own seed; the batch does not change a row', async () => {
    const config = resolveGrpoConfig({ groupSize: 4, strategy: { kind: 'fixed', steps: 2 }, maxNewTokens: 16 });
    const batch = await rolloutGroups(model(), prompts, config, { rng: new Rng(3) });
    expect(batch.traces).toHaveLength(8);
    batch.traces.forEach((t, i) => {
      expect(t.row).toBe(i);
      expect(t.promptLength).toBe(i < 4 ? 3 : 2);
      expect(t.latentSpans.map((s) => s.steps)).toEqual([2]);
    });
    // same rng state → same rollouts
    const again = await rolloutGroups(model(), prompts, config, { rng: new Rng(3) });
    expect(again.traces.map((t) => t.outputIds)).toEqual(batch.traces.map((t) => t.outputIds));
    // a row alone with its recorded seed reproduces its trace exactly
    const [alone] = await generate(model(), [{ prompt: prompts[1]!.prompt, seed: batch.traces[5]!.seed }], {
      strategy: config.strategy, sampler: config.sampler, maxNewTokens: 16, seed: 0,
    });
    expect(alone!.outputIds).toEqual(batch.traces[5]!.outputIds);
    expect(alone!.logprobs).toEqual(batch.traces[5]!.logprobs);
    // the answers differ within a group (stochastic sampler)
    expect(new Set(batch.traces.slice(0, 4).map((t) => t.outputIds[6])).size).toBeGreaterThan(1);
  });

  it('completion text: cut at EOS, latent placeholders shown as <|lvr|>', async () => {
    const config = resolveGrpoConfig({ groupSize: 2, strategy: { kind: 'fixed', steps: 2 } });
    const batch = await rolloutGroups(model(), prompts.slice(0, 1), config, { rng: new Rng(1) });
    expect(completionText(batch.traces[0]!, decoder, ids)).toMatch(/^<\|lvr_start\|><\|lvr\|><\|lvr\|><\|lvr_end\|>\n<answer> (red|blue) <\/answer>$/);
  });

  it('scoring: rewards, group advantages, masks and metrics of a rollout batch', async () => {
    const config = resolveGrpoConfig({ groupSize: 4, strategy: { kind: 'fixed', steps: 2 } });
    const batch = await rolloutGroups(model(), prompts, config, { rng: new Rng(5) });
    const s = scoreRollouts(batch, config, { decoder, ids, step: 0 });
    s.completions.forEach((c, i) => {
      const right = (i < 4 ? ' red ' : ' blue ');
      expect(s.rewards.total[i]).toBe(1 + (c.includes(right) ? 1 : 0)); // format always 1 here
    });
    for (let g = 0; g < 8; g += 4) {
      const a = Array.from(s.advantages.slice(g, g + 4));
      expect(Math.abs(a.reduce((x, y) => x + y, 0))).toBeLessThan(1e-5);
    }
    // mask: <|lvr_start|>, 2 placeholders and… excluded; <|lvr_end|> \n <answer> word </answer> EOS included
    expect(Array.from(s.masks[0]!)).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1]);
    expect(s.metrics['latent/mean_steps']).toBe(2);
    expect(s.metrics['completion/eos_ratio']).toBe(1);
    expect(s.metrics['reward/format/mean']).toBe(1);
    expect(s.metrics['reward/mean']).toBeCloseTo(Array.from(s.rewards.total).reduce((x, y) => x + y, 0) / 8, 12);
    expect(s.metrics['completion/mean_mask_tokens']).toBe(6);
  });

  it('padRows and the replay statistic', () => {
    const p = padRows([[1, 2], [3]]);
    expect(Array.from(p.values)).toEqual([1, 2, 3, 0]);
    const traces = [{ logprobs: [-1, -2] }, { logprobs: [-3] }];
    expect(maxAbsLogpDiff(traces, [-1, -2.5, -3.25, 99], 2)).toBeCloseTo(0.5, 12);
    expect(maxAbsLogpDiff(traces, [-1, Number.NaN, -3, 0], 2)).toBe(Number.POSITIVE_INFINITY);
  });
});

import { describe, expect, it } from 'vitest';
import { grpoConfigToJson, resolveGrpoConfig } from './config.js';

describe('resolveGrpoConfig', () => {
  it('defaults are the reference run, stated explicitly', () => {
    const c = resolveGrpoConfig();
    expect(c.groupSize).toBe(8);
    expect(c.sampler).toEqual({ kind: 'sample', temperature: 0.9, topK: 50, topP: 1, repetitionPenalty: 1 });
    expect(c.strategy).toEqual({ kind: 'fixed', steps: 8 });
    expect([c.beta, c.epsilonLow, c.epsilonHigh, c.mu]).toEqual([0.04, 0.2, 0.2, 1]);
    expect([c.lossType, c.scaleRewards, c.maskRule]).toEqual(['bnpo', 'group', 'reference']);
    expect(c.rewards.map((r) => [r.name, r.weight])).toEqual([['accuracy', 1], ['format', 1]]);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('rejects greedy rollouts, unknown fields, bad values and bad strategies with the field named', () => {
    expect(() => resolveGrpoConfig({ sampler: { kind: 'greedy' } })).toThrow(/sampler .*greedy rollouts/);
    expect(() => resolveGrpoConfig({ sampler: { kind: 'sample', temperature: 0 } })).toThrow(/sampler/);
    expect(() => resolveGrpoConfig({ num_generations: 8 } as never)).toThrow(/num_generations is not a known field/);
    expect(() => resolveGrpoConfig({ groupSize: 1 })).toThrow(/groupSize must be an integer in 2\.\.4096, got 1/);
    expect(() => resolveGrpoConfig({ mu: 0 })).toThrow(/mu must be an integer in 1\.\.1024, got 0/);
    expect(() => resolveGrpoConfig({ beta: -1 })).toThrow(/beta/);
    expect(() => resolveGrpoConfig({ lossType: 'dapo' as never })).toThrow(/lossType must be one of bnpo \| grpo \| dr_grpo/);
    expect(() => resolveGrpoConfig({ maskRule: 'all' as never })).toThrow(/maskRule/);
    expect(() => resolveGrpoConfig({ strategy: { kind: 'fixed', steps: -1 } })).toThrow(/strategy/);
    expect(() => resolveGrpoConfig({ suppressIds: [1.5] })).toThrow(/suppressIds\[0\] must be an integer ≥ 0, got 1\.5/);
    let error: unknown;
    try {
      resolveGrpoConfig({ epsilonLow: 2 });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', message: 'grpo config: epsilonLow must be a number in [0, 1], got 2', details: { field: 'epsilonLow' } });
  });

  it('bounds the rollout batch: each count and the positions it generates', () => {
    expect(() => resolveGrpoConfig({ groupSize: 1e308 })).toThrow('grpo config: groupSize must be an integer in 2..4096, got 1e+308');
    expect(() => resolveGrpoConfig({ groupSize: 4096, promptsPerStep: 4096, maxNewTokens: 64 })).toThrow(
      'grpo config: groupSize · promptsPerStep · maxNewTokens = 1073741824 positions per rollout batch; at most 16777216',
    );
    expect(() => resolveGrpoConfig({ beta: -1, mu: 1.5, maxLatentSteps: -1 })).toThrow(
      'grpo config: maxLatentSteps must be an integer in 0..65536, got -1; beta must be a number in [0, 1000000], got -1; mu must be an integer in 1..1024, got 1.5',
    );
  });

  it('serialises to JSON with user rewards marked custom', () => {
    const c = resolveGrpoConfig({ rewards: [{ name: 'format' }, { name: 'mine', weight: 0.5, fn: (b) => b.completions.map(() => 1) }] });
    const j = JSON.parse(JSON.stringify(grpoConfigToJson(c)));
    expect(j.rewards).toEqual([{ name: 'format', weight: 1 }, { name: 'mine', weight: 0.5, custom: true }]);
  });
});

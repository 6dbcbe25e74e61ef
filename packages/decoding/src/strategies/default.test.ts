import { describe, expect, it } from 'vitest';
import { ScriptedStepModel, STUB_TOKENS } from '../testing/stub-model.js';
import { generate } from '../loop/generate.js';
import { DEFAULT_STOP_STRATEGY, DEFAULT_STOP_STRATEGY_SPEC } from './default.js';
import { parseStrategySpec } from './registry.js';

const { lvrStartId: S, lvrEndId: E, eosId: EOS } = STUB_TOKENS;

describe('the default stop strategy', () => {
  it('is fixed:8 with a forced <|lvr_end|>, and its spec parses to the same config', () => {
    expect(DEFAULT_STOP_STRATEGY).toEqual({ kind: 'fixed', steps: 8, forceEnd: true });
    expect(parseStrategySpec(DEFAULT_STOP_STRATEGY_SPEC)).toEqual(DEFAULT_STOP_STRATEGY);
    expect(Object.isFrozen(DEFAULT_STOP_STRATEGY)).toBe(true);
  });

  it('is what generate uses without options.strategy: 8 latent steps, then <|lvr_end|> is forced', async () => {
    // The script wants "10" after the 8th latent; the default forces <|lvr_end|> there instead.
    const script = [S, ...Array<number>(8).fill(11), 10, 12, EOS];
    const model = new ScriptedStepModel({ scripts: [script] });
    const [r] = await generate(model, [{ prompt: { inputIds: Int32Array.of(20, 21) } }], { seed: 1 });
    expect(r!.latentSpans.map((s) => [s.steps, s.stopReason, s.forcedEnd])).toEqual([[8, 'strategy', true]]);
    expect(r!.outputIds[9]).toBe(E);
  });
});

import { describe, expect, it } from 'vitest';
import { ScriptedStepModel, STUB_TOKENS } from '../testing/stub-model.js';
import { generate } from './generate.js';

const ANSWER = 12;

describe('allowedTokens (constrained decoding)', () => {
  it('restricts the sample after a trigger token to the allowed ids and records the unconstrained logprob', async () => {
    // The script wants word 20 after <answer>; only 21 and 22 are allowed there.
    const model = new ScriptedStepModel({ scripts: [[ANSWER, 20, 13, STUB_TOKENS.eosId]], logits: (_c, row) => { row[22] = 3; row[21] = 1; return row; } });
    const [free] = await generate(model, [{ prompt: { inputIds: Int32Array.of(30, 31) } }], { seed: 1 });
    expect(free!.outputIds.slice(0, 2)).toEqual([ANSWER, 20]);
    const seen: number[][] = [];
    const [res] = await generate(model, [{ prompt: { inputIds: Int32Array.of(30, 31) } }], {
      seed: 1,
      allowedTokens: (_row, out) => { seen.push([...out]); return out.at(-1) === ANSWER ? [21, 22] : undefined; },
    });
    expect(res!.outputIds.slice(0, 2)).toEqual([ANSWER, 22]);
    expect(res!.logprobs[1]).toBeLessThan(free!.logprobs[1]!); // the logprob of 22 under the full distribution
    expect(seen[0]).toEqual([]);
    expect(seen[1]).toEqual([ANSWER]);
  });

  it('rejects a non-function', async () => {
    const model = new ScriptedStepModel({ scripts: [[1]] });
    await expect(generate(model, [{ prompt: { inputIds: Int32Array.of(30) } }], { seed: 1, allowedTokens: 5 as never })).rejects.toThrow(/allowedTokens/);
  });

  it('sees only the tokens that were fed: an <answer> sampled at a latent position is a placeholder', async () => {
    // The script samples <answer> at the two latent positions, then the real <answer> after the forced <|lvr_end|>.
    const T = STUB_TOKENS;
    const model = new ScriptedStepModel({ scripts: [[T.lvrStartId, ANSWER, ANSWER, T.lvrEndId, ANSWER, 20, T.eosId]] });
    const seen: number[][] = [];
    const [res] = await generate(model, [{ prompt: { inputIds: Int32Array.of(30) } }], {
      seed: 1, strategy: { kind: 'fixed', steps: 2, forceEnd: true },
      allowedTokens: (_row, out) => { seen.push([...out]); return out.at(-1) === ANSWER ? [21] : undefined; },
    });
    expect(res!.inputs.slice(1, 3)).toEqual(['latent', 'latent']);
    expect(seen.every((out) => !out.slice(0, 2).includes(ANSWER))).toBe(true); // the placeholders are never shown
    expect(res!.outputIds.filter((_, j) => res!.inputs[j] !== 'latent')).toEqual([T.lvrStartId, T.lvrEndId, ANSWER, 21, T.eosId]);
  });
});

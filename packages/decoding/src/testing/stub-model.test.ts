import { describe, expect, it } from 'vitest';
import { ScriptedStepModel, STUB_TOKENS, stubHidden } from './stub-model.js';

describe('ScriptedStepModel', () => {
  it('puts the argmax on the scripted token of the next position and encodes the position in hidden[0]', async () => {
    const model = new ScriptedStepModel({ scripts: (prompt) => (prompt[0] === 20 ? [10, 11] : [12]) });
    const out = await model.prefill([{ inputIds: Int32Array.of(20, 21) }, { inputIds: Int32Array.of(30) }]);
    const argmaxOf = (logits: Float32Array, r: number): number => {
      const row = [...logits.subarray(r * 32, (r + 1) * 32)];
      return row.indexOf(Math.max(...row));
    };
    expect([argmaxOf(out.logits, 0), argmaxOf(out.logits, 1)]).toEqual([10, 12]);
    expect([out.hidden[0], out.hidden[4]]).toEqual([1, 0]); // last prompt positions 1 and 0
    expect([...out.latent]).toEqual([...out.hidden]);
    const vector = Float32Array.of(9, 9, 9, 9);
    const next = await model.step(out.cache, [{ kind: 'token', id: 10 }, { kind: 'embedding', vector }]);
    vector[0] = -1; // the record is a copy
    expect([argmaxOf(next.logits, 0), argmaxOf(next.logits, 1)]).toEqual([11, STUB_TOKENS.eosId]);
    expect([...next.hidden.subarray(0, 4)]).toEqual([...stubHidden(2)]);
    expect(model.received).toEqual([
      [{ position: 2, input: { kind: 'token', id: 10 } }],
      [{ position: 1, input: { kind: 'embedding', vector: Float32Array.of(9, 9, 9, 9) } }],
    ]);
    expect(out.cache.length).toBe(3);
  });

  it('rejects wrong batch sizes, vector lengths, token ids and released caches', async () => {
    const model = new ScriptedStepModel({ scripts: [[10]] });
    const { cache } = await model.prefill([{ inputIds: Int32Array.of(20) }]);
    await expect(model.step(cache, [])).rejects.toThrow(/got 0 inputs for a batch of 1/);
    await expect(model.step(cache, [{ kind: 'embedding', vector: new Float32Array(3) }])).rejects.toThrow(/3 values, expected 4/);
    await expect(model.step(cache, [{ kind: 'token', id: 32 }])).rejects.toThrow(/outside the vocabulary/);
    model.release(cache);
    model.release(cache);
    expect(model.released).toEqual([0]);
    await expect(model.step(cache, [{ kind: 'token', id: 1 }])).rejects.toThrow(/not the live one/);
    await expect(new ScriptedStepModel({ scripts: [] }).prefill([{ inputIds: Int32Array.of(1) }])).rejects.toThrow(/no script for batch row 0/);
  });
});

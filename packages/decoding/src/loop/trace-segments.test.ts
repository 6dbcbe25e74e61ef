import { describe, expect, it } from 'vitest';
import { ScriptedStepModel, STUB_TOKENS } from '../testing/stub-model.js';
import { generate } from './generate.js';
import { traceSegments } from './trace-segments.js';

const { lvrStartId: S, lvrEndId: E, eosId: EOS } = STUB_TOKENS;

describe('traceSegments', () => {
  it('keeps fed tokens and replaces each span\'s placeholders by its step count', async () => {
    // Two spans (3 and 2 steps); the script's words at latent positions (11, 12, …) are placeholders.
    const script = [13, S, 11, 12, 11, 14, S, 12, 11, 15, EOS];
    const [r] = await generate(new ScriptedStepModel({ scripts: [script] }), [{ prompt: { inputIds: Int32Array.of(20) } }], {
      strategy: { kind: 'fixed', steps: 3, forceEnd: true }, seed: 1, maxNewTokens: 20,
    });
    const segs = traceSegments(r!);
    expect(segs.filter((s) => s.kind === 'latent').map((s) => s.steps)).toEqual(r!.latentSpans.map((s) => s.steps));
    expect(segs[0]).toEqual({ kind: 'tokens', ids: [13, S] });
    expect(segs[1]).toEqual({ kind: 'latent', steps: 3 });
    expect(segs[2]!.kind === 'tokens' && segs[2]!.ids[0]).toBe(E); // the forced end follows the span
    // Every fed token appears, in order; no placeholder does.
    const fed = r!.outputIds.filter((_, j) => r!.inputs[j] !== 'latent');
    expect(segs.flatMap((s) => (s.kind === 'tokens' ? s.ids : []))).toEqual(fed);
  });

  it('hand-made traces: no spans, a span at index 0, a span closed by the budget of new tokens', () => {
    expect(traceSegments({ outputIds: [10, 11], inputs: ['token', 'token'] })).toEqual([{ kind: 'tokens', ids: [10, 11] }]);
    expect(traceSegments({ outputIds: [10, 11, E, 12], inputs: ['latent', 'latent', 'token', 'token'] }))
      .toEqual([{ kind: 'latent', steps: 2 }, { kind: 'tokens', ids: [E, 12] }]);
    expect(traceSegments({ outputIds: [S, 10, 11], inputs: ['token', 'latent', 'token'] }))
      .toEqual([{ kind: 'tokens', ids: [S] }, { kind: 'latent', steps: 1 }, { kind: 'tokens', ids: [11] }]);
    expect(traceSegments({ outputIds: [], inputs: [] })).toEqual([]);
  });
});

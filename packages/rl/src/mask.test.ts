import { describe, expect, it } from 'vitest';
import type { GenerateResult, InputKind, LatentSpan } from '@lvr/decoding';
import { completionMask } from './mask.js';

const S = 5, LE = 7, E = 8, EOS = 4;
const ids = { lvrStartId: S, lvrEndId: E, eosIds: [EOS] };

function trace(outputIds: number[], latent: number[], spans: Partial<LatentSpan>[] = []): GenerateResult {
  const inputs: InputKind[] = outputIds.map((_, j) => (latent.includes(j) ? 'latent' : 'token'));
  return {
    row: 0, promptLength: 3, seed: 0, outputIds, logprobs: outputIds.map(() => -1), inputs, finishReason: 'eos',
    latentSpans: spans.map((s) => ({ start: 0, steps: 0, stopReason: 'strategy', forcedEnd: false, vectors: [], sampledTokens: [], ...s })),
  };
}

describe('completionMask', () => {
  // <|lvr_start|> x x <|lvr_latent_end|> <|lvr_end|> 30 31 EOS, two latents at 1..2
  const t = trace([S, 20, 21, LE, E, 30, 31, EOS], [1, 2], [{ start: 1, steps: 2 }]);

  it('reference: <|lvr_start|> through the token before <|lvr_end|> excluded; <|lvr_end|> … EOS included (§9 item 22)', () => {
    expect(Array.from(completionMask(t, 'reference', ids))).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it('reference+start also reinforces the <|lvr_start|> decision; text keeps every fed token', () => {
    expect(Array.from(completionMask(t, 'reference+start', ids))).toEqual([1, 0, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(completionMask(t, 'text', ids))).toEqual([1, 0, 0, 1, 1, 1, 1, 1]);
  });

  it('text before the span counts; a span never closed excludes the rest', () => {
    expect(Array.from(completionMask(trace([30, S, 20, E, 31, EOS], [2], [{ start: 2, steps: 1 }]), 'reference', ids))).toEqual([1, 0, 0, 1, 1, 1]);
    const open = trace([S, 20, 21, 30, EOS], [1, 2], [{ start: 1, steps: 2 }]);
    expect(Array.from(completionMask(open, 'reference', ids))).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(completionMask(open, 'text', ids))).toEqual([1, 0, 0, 1, 1]);
  });

  it('a prompt ending with <|lvr_start|> starts inside the span; a placeholder <|lvr_end|> does not close it', () => {
    expect(Array.from(completionMask(trace([20, 21, E, 30, EOS], [0, 1], [{ start: 0, steps: 2 }]), 'reference', ids))).toEqual([0, 0, 1, 1, 1]);
    expect(Array.from(completionMask(trace([S, E, 21, LE, E, 30, EOS], [1, 2], [{ start: 1, steps: 2 }]), 'reference', ids))).toEqual([0, 0, 0, 0, 1, 1, 1]);
  });

  it('a forced <|lvr_end|> carries no gradient but still closes the span', () => {
    const forced = trace([S, 20, E, 30, EOS], [1], [{ start: 1, steps: 1, forcedEnd: true }]);
    expect(Array.from(completionMask(forced, 'reference', ids))).toEqual([0, 0, 0, 1, 1]);
    expect(Array.from(completionMask(forced, 'text', ids))).toEqual([1, 0, 0, 1, 1]);
  });

  it('rejects unknown rules', () => {
    expect(() => completionMask(t, 'all' as never, ids)).toThrow(/rule must be one of/);
  });
});

import { describe, expect, it } from 'vitest';
import { generate } from '@lvr/decoding';
import { ScriptedStepModel, STUB_TOKENS } from '@lvr/decoding/testing';
import { answerOf, traceSummary, traceText } from './infer.js';

const { lvrStartId: S, lvrEndId: E, eosId: EOS } = STUB_TOKENS;
/** A stand-in tokenizer: ids 10+ are words w10, w11, …; the special ids keep their token strings. */
const NAMES: Record<number, string> = {
  [S]: '<|lvr_start|>', [E]: '<|lvr_end|>', [EOS]: '<|im_end|>', 20: '<answer>', 21: ' red ', 22: '</answer>',
};
const tok = { decode: (ids: readonly number[]): string => ids.map((id) => NAMES[id] ?? `w${id}`).join('') };

describe('lvr infer: the text of a trace', () => {
  it('shows each latent span as its step count, never the tokens sampled at latent positions', async () => {
    // The script puts <answer> red </answer> at latent positions: those placeholders were never fed.
    const script = [S, 20, 21, 22, 11, 20, 21, 22, EOS];
    const model = new ScriptedStepModel({ scripts: [script], vocabSize: 32 });
    const strategy = { kind: 'fixed', steps: 3, forceEnd: true } as const;
    const [r] = await generate(model, [{ prompt: { inputIds: Int32Array.of(12) } }], { strategy, seed: 0 });
    expect(r!.latentSpans.map((s) => s.steps)).toEqual([3]);
    const text = traceText(r!, tok);
    expect(text).toBe('<|lvr_start|>[3 latent steps]<|lvr_end|><answer> red </answer><|im_end|>');
    expect(tok.decode(r!.outputIds)).toContain('<|lvr_start|><answer> red </answer>'); // what the text used to show
    expect(answerOf(text)).toBe('red');
    expect(traceSummary(r!)).toMatchObject({
      latentPositions: [2, 3, 4], spans: [{ start: 2, steps: 3, stopReason: 'strategy', forcedEnd: true }],
    });
  });

  it('a one-step span reads "1 latent step"; a trace without spans is the plain decode', () => {
    const oneStep = { outputIds: [S, 11, E], inputs: ['token', 'latent', 'token'] } as never;
    expect(traceText(oneStep, tok)).toBe('<|lvr_start|>[1 latent step]<|lvr_end|>');
    expect(traceText({ outputIds: [20, 21, 22], inputs: ['token', 'token', 'token'] } as never, tok)).toBe('<answer> red </answer>');
  });
});

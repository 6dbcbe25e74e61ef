import { describe, expect, it } from 'vitest';
import { ScriptedStepModel, STUB_TOKENS, stubHidden, type StubInputRecord } from '../testing/stub-model.js';
import { generate } from './generate.js';

const { lvrStartId: S, lvrLatentEndId: L, lvrEndId: E, eosId: EOS } = STUB_TOKENS;
const [x1, x2, x3, a, b, w] = [10, 11, 12, 13, 14, 15];
const prompt = (...ids: number[]): { prompt: { inputIds: Int32Array } } => ({ prompt: { inputIds: Int32Array.from(ids) } });

/** What the stub received, as `position → token id | 'h(q)'` (latent vectors identified by hidden[0] = q). */
function fed(records: readonly StubInputRecord[]): Array<[number, number | string]> {
  return records.map((r) => [r.position, r.input.kind === 'token' ? r.input.id : `h(${r.input.vector[0]})`]);
}

describe('reference decoding semantics (§9 items 16–18)', () => {
  it('item 16: fixed N = 3 — inputs at 4, 5, 6 are h(3), h(4), h(5); position 7 uses its token; outputs = script', async () => {
    const script = [S, x1, x2, x3, L, E, a, b, EOS];
    const model = new ScriptedStepModel({ scripts: [script] });
    const [r] = await generate(model, [prompt(20, 21, 22)], { strategy: { kind: 'fixed', steps: 3 } });
    expect(fed(model.received[0]!)).toEqual([[3, S], [4, 'h(3)'], [5, 'h(4)'], [6, 'h(5)'], [7, L], [8, E], [9, a], [10, b]]);
    expect(r!.outputIds).toEqual(script);
    expect(r!.inputs).toEqual(['token', 'latent', 'latent', 'latent', 'token', 'token', 'token', 'token', 'token']);
    expect(r!.finishReason).toBe('eos');
    expect(r!.promptLength).toBe(3);
    const [span] = r!.latentSpans;
    expect(r!.latentSpans).toHaveLength(1);
    expect(span).toMatchObject({ start: 1, steps: 3, stopReason: 'strategy', forcedEnd: false, sampledTokens: [x2, x3, L] });
    expect(span!.vectors.map((v) => v[0])).toEqual([3, 4, 5]);
    expect(model.released).toHaveLength(1);
  });

  it('fixed with forceEnd feeds <|lvr_end|> after the span and keeps the replaced token in sampledTokens', async () => {
    const model = new ScriptedStepModel({ scripts: [[S, x1, x2, x3, L, E, a, EOS]] });
    const [r] = await generate(model, [prompt(20, 21, 22)], { strategy: { kind: 'fixed', steps: 3, forceEnd: true } });
    expect(fed(model.received[0]!).slice(0, 5)).toEqual([[3, S], [4, 'h(3)'], [5, 'h(4)'], [6, 'h(5)'], [7, E]]);
    expect(r!.outputIds).toEqual([S, x1, x2, x3, E, E, a, EOS]);
    expect(r!.latentSpans[0]).toMatchObject({ steps: 3, forcedEnd: true, sampledTokens: [x2, x3, L] });
    // the forced token's logprob is that of <|lvr_end|> under the same logits (scripted L has the large logit)
    expect(r!.logprobs[4]).toBeCloseTo(0 - Math.log(Math.exp(10) + 31), 5);
  });

  it('re-entry gets a fresh budget; a prompt ending in <|lvr_start|> opens a span at index 0', async () => {
    const model = new ScriptedStepModel({ scripts: [[x1, x2, E, w, S, x1, x2, E, EOS]] });
    const [r] = await generate(model, [prompt(20, 21, S)], { strategy: { kind: 'fixed', steps: 2 } });
    expect(fed(model.received[0]!)).toEqual([[3, 'h(2)'], [4, 'h(3)'], [5, E], [6, w], [7, S], [8, 'h(7)'], [9, 'h(8)'], [10, E]]);
    expect(r!.latentSpans.map((s) => [s.start, s.steps, s.stopReason])).toEqual([[0, 2, 'strategy'], [5, 2, 'strategy']]);
  });

  it('item 17: latent-end matched at the <|lvr_start|> hidden → exactly 1 latent input', async () => {
    const E3 = stubHidden(3); // the hidden state at the <|lvr_start|> position (3)
    const model = new ScriptedStepModel({ scripts: [[S, x1, x2, E, a, EOS]], latentEndEmbedding: E3 });
    const [r] = await generate(model, [prompt(20, 21, 22)], { strategy: { kind: 'latent-end' } });
    expect(fed(model.received[0]!)).toEqual([[3, S], [4, 'h(3)'], [5, x2], [6, E], [7, a]]);
    expect(r!.latentSpans.map((s) => [s.steps, s.stopReason])).toEqual([[1, 'strategy']]);
    expect(r!.outputIds).toEqual([S, x1, x2, E, a, EOS]);
  });

  it('item 17: latent-end never matched with M = 16 → exactly 16 latent inputs (stop reason budget)', async () => {
    const model = new ScriptedStepModel({ scripts: [[S]], afterScript: w, latentEndEmbedding: new Float32Array(4).fill(1e3) });
    const [r] = await generate(model, [prompt(20, 21, 22)], { strategy: { kind: 'latent-end', maxSteps: 16 }, maxNewTokens: 30 });
    const latentPositions = model.received[0]!.filter((x) => x.input.kind === 'embedding').map((x) => x.position);
    expect(latentPositions).toEqual(Array.from({ length: 16 }, (_, k) => 4 + k));
    expect(r!.latentSpans.map((s) => [s.start, s.steps, s.stopReason])).toEqual([[1, 16, 'budget']]);
    expect(r!.inputs[17]).toBe('token');
    expect(r!.finishReason).toBe('max-new-tokens');
    expect(r!.outputIds).toHaveLength(30);
  });

  it('item 18: mode-switch exits when <|lvr_end|> is sampled', async () => {
    const model = new ScriptedStepModel({ scripts: [[S, x1, x2, E, a, EOS]] });
    const [r] = await generate(model, [prompt(20, 21, 22)], { strategy: { kind: 'mode-switch' } });
    expect(fed(model.received[0]!)).toEqual([[3, S], [4, 'h(3)'], [5, 'h(4)'], [6, E], [7, a]]);
    expect(r!.latentSpans.map((s) => [s.start, s.steps, s.stopReason, s.sampledTokens])).toEqual([[1, 2, 'strategy', [x2, E]]]);
  });

  it('item 18: mode-switch with <|lvr_end|> sampled right after <|lvr_start|> → 0 latent steps', async () => {
    const model = new ScriptedStepModel({ scripts: [[S, E, a, EOS]] });
    const [r] = await generate(model, [prompt(20, 21, 22)], { strategy: { kind: 'mode-switch' } });
    expect(fed(model.received[0]!)).toEqual([[3, S], [4, E], [5, a]]);
    expect(r!.latentSpans.map((s) => [s.start, s.steps, s.stopReason])).toEqual([[1, 0, 'strategy']]);
    expect(r!.inputs).toEqual(['token', 'token', 'token', 'token']);
  });

  it('mode-switch rule logit reads the raw <|lvr_end|> logit; forceEnd feeds <|lvr_end|>', async () => {
    const model = new ScriptedStepModel({
      scripts: [[S, x1, x2, x3, a, EOS]],
      logits: (c, row) => { if (c.position === 5) row[E] = 0.5; return row; }, // BCE "end" at the 2nd latent position
    });
    const [r] = await generate(model, [prompt(20, 21, 22)], { strategy: { kind: 'mode-switch', rule: 'logit', forceEnd: true } });
    expect(fed(model.received[0]!)).toEqual([[3, S], [4, 'h(3)'], [5, 'h(4)'], [6, E], [7, a]]);
    expect(r!.latentSpans[0]).toMatchObject({ steps: 2, forcedEnd: true, sampledTokens: [x2, x3] });
  });

  it('an EOS sampled at a latent position does not finish the row (as in the reference)', async () => {
    const model = new ScriptedStepModel({ scripts: [[S, x1, EOS, x3, a, EOS]] });
    const [r] = await generate(model, [prompt(20, 21, 22)], { strategy: { kind: 'fixed', steps: 3 } });
    expect(r!.outputIds).toEqual([S, x1, EOS, x3, a, EOS]);
    expect(r!.finishReason).toBe('eos');
    expect(r!.inputs.slice(0, 4)).toEqual(['token', 'latent', 'latent', 'latent']);
  });
});

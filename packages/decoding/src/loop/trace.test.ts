import { Rng } from '@lvr/core';
import { describe, expect, it } from 'vitest';
import { ScriptedStepModel, STUB_TOKENS, stubHidden } from '../testing/stub-model.js';
import { generate } from './generate.js';
import type { LatentTransformContext } from './generate-options.js';
import { buildReplayInputs, type TokenEvent } from './trace.js';

const { lvrStartId: S, lvrEndId: E, eosId: EOS } = STUB_TOKENS;
const [x1, x2, x3, a, b] = [10, 11, 12, 13, 14];
const req = (...ids: number[]): { prompt: { inputIds: Int32Array } } => ({ prompt: { inputIds: Int32Array.from(ids) } });

describe('trace vectors are exactly what the model received', () => {
  it('with sampling and two spans, every recorded vector equals the input at promptLength + start + k', async () => {
    const model = new ScriptedStepModel({ scripts: [[x1, S, x2, x3, E, a, S, b, x1, E, EOS], [S, x1, x2, E, EOS]], margin: 5 });
    const results = await generate(model, [{ ...req(20, 21), seed: 3 }, { ...req(22, 23, 24), seed: 4 }], {
      strategy: { kind: 'mode-switch', maxSteps: 6 }, sampler: { kind: 'sample', temperature: 0.7 }, maxNewTokens: 16,
    });
    let checked = 0;
    results.forEach((r, row) => {
      const byPosition = new Map(model.received[row]!.map((x) => [x.position, x.input]));
      for (const span of r.latentSpans) {
        expect(span.vectors).toHaveLength(span.steps);
        span.vectors.forEach((v, k) => {
          const got = byPosition.get(r.promptLength + span.start + k);
          expect(got?.kind).toBe('embedding');
          expect(got?.kind === 'embedding' ? [...got.vector] : null).toEqual([...v]);
          checked++;
        });
      }
      // and every latent input belongs to a span
      expect(r.inputs.filter((k) => k === 'latent').length).toBe(r.latentSpans.reduce((n, s) => n + s.steps, 0));
    });
    expect(checked).toBeGreaterThan(2);
  });

  it('latentTransform: the model receives and the trace records the replacement; the probe sees the model latent', async () => {
    const model = new ScriptedStepModel({ scripts: [[S, x1, x2, x3, a, EOS]], latent: (h) => h.map((x) => 2 * x) });
    const seen: LatentTransformContext[] = [];
    const noise = new Rng(5);
    const [r] = await generate(model, [req(20, 21, 22)], {
      strategy: { kind: 'fixed', steps: 3 },
      latentTransform: (c) => {
        seen.push({ ...c, vector: c.vector.slice(), hidden: c.hidden.slice() });
        return Float32Array.from(c.vector, (x) => x + noise.normal());
      },
    });
    expect(seen.map((c) => [c.row, c.spanIndex, c.step, c.index, c.vector[0], c.hidden[0]])).toEqual([
      [0, 0, 0, 1, 6, 3], [0, 0, 1, 2, 8, 4], [0, 0, 2, 3, 10, 5],
    ]);
    const received = model.received[0]!.filter((x) => x.input.kind === 'embedding').map((x) => (x.input.kind === 'embedding' ? [...x.input.vector] : []));
    expect(r!.latentSpans[0]!.vectors.map((v) => [...v])).toEqual(received);
    expect(received[0]![0]).not.toBe(6); // noise was added
    const again = new Rng(5);
    const noiseOfDim0 = again.normal();
    expect(received[0]![0]).toBeCloseTo(6 + noiseOfDim0, 5);
    expect(received[0]![1]).toBeCloseTo(2 * stubHidden(3)[1]! + again.normal(), 5);
  });

  it('zeros probe: the stub receives zero vectors', async () => {
    const model = new ScriptedStepModel({ scripts: [[S, x1, x2, a, EOS]] });
    const [r] = await generate(model, [req(20)], { strategy: { kind: 'fixed', steps: 2 }, latentTransform: () => new Float32Array(4) });
    expect(r!.latentSpans[0]!.vectors.map((v) => [...v])).toEqual([[0, 0, 0, 0], [0, 0, 0, 0]]);
    expect(model.received[0]!.filter((x) => x.input.kind === 'embedding')).toHaveLength(2);
  });

  it('buildReplayInputs reproduces the inputs fed after the prompt, position by position', async () => {
    const model = new ScriptedStepModel({ scripts: [[x1, S, x2, x3, E, a, b, EOS]] });
    const [r] = await generate(model, [req(20, 21, 22)], { strategy: { kind: 'fixed', steps: 2 } });
    const replay = buildReplayInputs(r!);
    expect(replay).toHaveLength(r!.outputIds.length - 1);
    expect(replay).toEqual(model.received[0]!.map((x) => x.input));
    expect(model.received[0]!.map((x) => x.position)).toEqual(replay.map((_, j) => r!.promptLength + j));
  });

  it('onToken streams every generated position with its kind, logprob and forced flag, in order', async () => {
    const model = new ScriptedStepModel({ scripts: [[S, x1, x2, x3, a, EOS]] });
    const events: Array<[number, TokenEvent]> = [];
    const [r] = await generate(model, [req(20)], { strategy: { kind: 'fixed', steps: 2, forceEnd: true }, onToken: (row, e) => events.push([row, e]) });
    expect(events.map(([row, e]) => [row, e.index, e.token, e.kind, e.forced])).toEqual([
      [0, 0, S, 'token', false], [0, 1, x1, 'latent', false], [0, 2, x2, 'latent', false], [0, 3, E, 'token', true],
      [0, 4, a, 'token', false], [0, 5, EOS, 'token', false],
    ]);
    expect(events.map(([, e]) => e.logprob)).toEqual(r!.logprobs);
  });

  it('skipLatent: after <|lvr_start|> the loop feeds <|lvr_end|> at once (stop reason skipped)', async () => {
    const model = new ScriptedStepModel({ scripts: [[S, x1, x2, E, a, EOS]] });
    const [r] = await generate(model, [req(20)], { strategy: { kind: 'fixed', steps: 4 }, skipLatent: true });
    expect(r!.outputIds).toEqual([S, E, x2, E, a, EOS]);
    expect(r!.latentSpans).toEqual([{ start: 1, steps: 0, stopReason: 'skipped', forcedEnd: true, vectors: [], sampledTokens: [] }]);
    expect(model.received[0]!.every((x) => x.input.kind === 'token')).toBe(true);
  });

  it('LIVR mode suppresses latent ids and LVR tokens and never enters latent mode', async () => {
    const model = new ScriptedStepModel({
      scripts: [[6, S, x1, EOS]],
      logits: (_c, row) => { row[x3] = (row[x3] ?? 0) + 1; return row; }, // second choice everywhere
    });
    const [r] = await generate(model, [req(20, S)], { livr: true });
    expect(r!.outputIds).toEqual([x3, x3, x1, EOS]);
    expect(r!.latentSpans).toEqual([]);
    expect(r!.inputs.every((k) => k === 'token')).toBe(true);
  });

  it('onProgress reports one tick per step', async () => {
    const events: string[] = [];
    await generate(new ScriptedStepModel({ scripts: [[a, b, EOS]] }), [req(20)], { onProgress: (e) => events.push(e.status) });
    expect(events).toEqual(['start', 'progress', 'progress', 'progress', 'done']);
  });
});

import { describe, expect, it } from 'vitest';
import type { SamplerConfig } from '../sampling/sampler-config.js';
import type { StopStrategyConfig } from '../strategies/registry.js';
import { ScriptedStepModel, STUB_TOKENS, type ScriptedStepModelOptions, type StubInputRecord } from '../testing/stub-model.js';
import { generate } from './generate.js';
import type { GenerateRequest } from './generate-options.js';
import type { GenerateResult } from './trace.js';

const { lvrStartId: S, lvrEndId: E, eosId: EOS } = STUB_TOKENS;
const [x1, x2, x3, a, b, w] = [10, 11, 12, 13, 14, 15];

const rows: Array<{ prompt: number[]; script: number[]; seed: number }> = [
  { prompt: [20, 21, 22], script: [x1, S, x2, x3, E, a, b, EOS], seed: 101 },
  { prompt: [23, 24], script: [S, x1, E, a, b, S, x1, x2, x3, E, EOS], seed: 202 },
  { prompt: [25, 26, 27, 28], script: [a, b, w, x1, S, x2, x3, x1, E, a, EOS], seed: 303 },
];

/** Scripted logits that also react to what was fed last, so a mis-fed input changes later choices. */
const stubOptions = (scripts: number[][]): ScriptedStepModelOptions => ({
  scripts,
  margin: 6,
  logits: (c, row) => {
    const last = c.received.at(-1)?.input;
    if (last?.kind === 'embedding') row[16] = (row[16] ?? 0) + 3 * Math.sin((last.vector[0] ?? 0) + 2 * (last.vector[1] ?? 0));
    else if (last?.kind === 'token') row[17] = (row[17] ?? 0) + 0.2 * last.id;
    return row;
  },
});

const requests = (rs: typeof rows): GenerateRequest[] => rs.map((r) => ({ prompt: { inputIds: Int32Array.from(r.prompt) }, seed: r.seed }));
const comparable = (r: GenerateResult): object => ({ ...r, row: 0, latentSpans: r.latentSpans.map((s) => ({ ...s, vectors: s.vectors.map((v) => [...v]) })) });
const feedLog = (rec: readonly StubInputRecord[]): unknown[] => rec.map((x) => [x.position, x.input.kind === 'token' ? x.input.id : [...x.input.vector]]);

const settings: Array<[string, StopStrategyConfig, SamplerConfig]> = [
  ['mode-switch, sampling', { kind: 'mode-switch', maxSteps: 4 }, { kind: 'sample', temperature: 0.9, topK: 8 }],
  ['fixed 2, sampling with top-p', { kind: 'fixed', steps: 2 }, { kind: 'sample', temperature: 1.2, topP: 0.9 }],
  ['converge, greedy with repetition penalty', { kind: 'converge', threshold: 0.9, maxSteps: 5 }, { kind: 'greedy', repetitionPenalty: 1.3 }],
];

describe('a batch equals its rows run alone', () => {
  for (const [name, strategy, sampler] of settings) {
    it(name, async () => {
      const batchModel = new ScriptedStepModel(stubOptions(rows.map((r) => r.script)));
      const batch = await generate(batchModel, requests(rows), { strategy, sampler, maxNewTokens: 24 });
      const starts = new Set<number>();
      for (let i = 0; i < rows.length; i++) {
        const aloneModel = new ScriptedStepModel(stubOptions([rows[i]!.script]));
        const [alone] = await generate(aloneModel, requests([rows[i]!]), { strategy, sampler, maxNewTokens: 24 });
        expect(comparable(batch[i]!)).toEqual(comparable(alone!));
        expect(batch[i]!.row).toBe(i);
        // same inputs at the same positions (the batch row keeps receiving pad after it finished)
        const fedAlone = feedLog(aloneModel.received[0]!);
        expect(feedLog(batchModel.received[i]!).slice(0, fedAlone.length)).toEqual(fedAlone);
        batch[i]!.latentSpans.forEach((s) => starts.add(s.start + rows[i]!.prompt.length));
      }
      // rows enter latent mode at different absolute positions, and finish at different steps
      expect(starts.size).toBeGreaterThan(1);
      expect(new Set(batch.map((r) => r.outputIds.length)).size).toBeGreaterThan(1);
    });
  }

  it('a row without its own seed gets a derived one that reproduces it alone', async () => {
    const noSeeds = rows.map((r) => ({ prompt: { inputIds: Int32Array.from(r.prompt) } }));
    const sampler: SamplerConfig = { kind: 'sample', temperature: 1 };
    const batch = await generate(new ScriptedStepModel(stubOptions(rows.map((r) => r.script))), noSeeds, { sampler, seed: 7, maxNewTokens: 20 });
    expect(new Set(batch.map((r) => r.seed)).size).toBe(3);
    const again = await generate(new ScriptedStepModel(stubOptions(rows.map((r) => r.script))), noSeeds, { sampler, seed: 7, maxNewTokens: 20 });
    expect(again.map(comparable)).toEqual(batch.map(comparable));
    const [alone] = await generate(new ScriptedStepModel(stubOptions([rows[2]!.script])),
      [{ ...noSeeds[2]!, seed: batch[2]!.seed }], { sampler, maxNewTokens: 20 });
    expect(comparable(alone!)).toEqual(comparable(batch[2]!));
  });
});

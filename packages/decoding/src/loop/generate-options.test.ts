import { isLvrError, type LvrErrorCode } from '@lvr/core';
import { describe, expect, it } from 'vitest';
import type { StopStrategy } from '../strategies/stop-strategy.js';
import { ScriptedStepModel, STUB_TOKENS } from '../testing/stub-model.js';
import type { StepOutput } from '../step-model.js';
import { generate } from './generate.js';
import { resolveGenerateOptions, type GenerateOptions } from './generate-options.js';

const { lvrStartId: S, eosId: EOS } = STUB_TOKENS;
const req = (...ids: number[]): { prompt: { inputIds: Int32Array } } => ({ prompt: { inputIds: Int32Array.from(ids) } });
const stub = (): ScriptedStepModel => new ScriptedStepModel({ scripts: [[S, 10, 11, 12, EOS]] });

async function failure(p: Promise<unknown>): Promise<{ code: LvrErrorCode; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isLvrError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('resolveGenerateOptions', () => {
  it('fills the documented defaults', () => {
    const o = resolveGenerateOptions(stub(), { seed: 1 });
    expect(o.strategy.kind).toBe('fixed');
    expect(o.strategy.maxSteps).toBe(8);
    expect(o.sampler).toEqual({ kind: 'greedy', repetitionPenalty: 1 });
    expect([o.maxNewTokens, o.maxLatentSteps, o.spanBudget]).toEqual([64, 64, 8]);
    expect([...o.eosIds]).toEqual([EOS]);
    expect(o.latentEnabled).toBe(true);
    expect(resolveGenerateOptions(stub(), { strategy: { kind: 'mode-switch' } }).spanBudget).toBe(64);
    expect(resolveGenerateOptions(stub(), { strategy: { kind: 'mode-switch' }, maxLatentSteps: 5 }).spanBudget).toBe(5);
    expect(Number.isInteger(resolveGenerateOptions(stub()).seed)).toBe(true);
  });

  it('LIVR mode suppresses the latent ids and the four LVR tokens', () => {
    const o = resolveGenerateOptions(stub(), { livr: true, suppressIds: [20] });
    expect([...o.suppressIds].sort((x, y) => x - y)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 20]);
    expect(o.latentEnabled).toBe(false);
  });

  const bad: Array<[string, GenerateOptions, RegExp]> = [
    ['latent-end without an end embedding', { strategy: { kind: 'latent-end' } }, /needs the model's learned latent-end embedding \(4 values\); the stub model has none/],
    ['maxNewTokens 0', { maxNewTokens: 0 }, /maxNewTokens must be an integer ≥ 1/],
    ['maxLatentSteps −1', { maxLatentSteps: -1 }, /maxLatentSteps must be an integer ≥ 0/],
    ['eos id outside the vocabulary', { eosIds: [99] }, /eosIds must be token ids in \[0, 32\)/],
    ['livr without latent ids', { livr: { latentIds: [] } }, /livr.latentIds must be a non-empty list/],
    ['fractional seed', { seed: 1.5 }, /seed must be an integer/],
    ['unknown strategy kind', { strategy: { kind: 'nope' } }, /unknown stop strategy kind "nope"; known kinds: 'fixed'/],
    ['bad sampler', { sampler: { kind: 'sample', topP: 2 } }, /sampler.topP must be a number in \(0, 1\]/],
  ];
  for (const [name, options, message] of bad) {
    it(`rejects ${name} with CONFIG_INVALID`, async () => {
      const f = await failure(generate(stub(), [req(20)], options));
      expect(f.code).toBe('CONFIG_INVALID');
      expect(f.message).toMatch(message);
    });
  }
});

describe('generate input and runtime errors', () => {
  it('an empty request list returns [] without touching the model; an empty prompt is INVALID_ARGUMENT', async () => {
    const model = stub();
    expect(await generate(model, [])).toEqual([]);
    expect(model.prompts).toEqual([]);
    const f = await failure(generate(model, [req(20), req()]));
    expect(f).toEqual({ code: 'INVALID_ARGUMENT', message: 'generate: request 1 needs a non-empty prompt.inputIds (Int32Array)' });
  });

  it('a wrongly shaped model output is SHAPE_MISMATCH and the cache is still released', async () => {
    const model = stub();
    const step = model.step.bind(model);
    model.step = async (cache, inputs): Promise<StepOutput> => ({ ...(await step(cache, inputs)), latent: new Float32Array(3) });
    const f = await failure(generate(model, [req(20)]));
    expect(f.code).toBe('SHAPE_MISMATCH');
    expect(f.message).toMatch(/step 1 returned latent of length 3, expected 1 × 4 = 4/);
    expect(model.released).toEqual([0]);
  });

  it('a latentTransform returning the wrong length or non-finite values is rejected with the row and position', async () => {
    const short = await failure(generate(stub(), [req(20)], { latentTransform: () => new Float32Array(2) }));
    expect(short.code).toBe('SHAPE_MISMATCH');
    expect(short.message).toMatch(/row 0, generated position 1: the latent vector must be a Float32Array of 4 values, got 2 \(from latentTransform\)/);
    const nan = await failure(generate(stub(), [req(20)], { latentTransform: () => Float32Array.of(0, Number.NaN, 0, 0) }));
    expect(nan.code).toBe('NUMERIC');
    expect(nan.message).toMatch(/latent vector value 1 is NaN/);
  });

  it('a strategy answering something other than continue/exit is INVALID_ARGUMENT', async () => {
    const rogue: StopStrategy = { kind: 'rogue', needs: {}, decide: () => 'maybe' as never };
    const f = await failure(generate(stub(), [req(20)], { strategy: rogue }));
    expect(f.code).toBe('INVALID_ARGUMENT');
    expect(f.message).toMatch(/stop strategy 'rogue' returned "maybe" for row 0/);
  });

  it('a NaN logit from the model is a NUMERIC error naming the row', async () => {
    const model = new ScriptedStepModel({ scripts: [[10, 11, EOS], [10, 11, EOS]], logits: (c, row) => { if (c.row === 1 && c.position === 1) row[3] = Number.NaN; return row; } });
    const f = await failure(generate(model, [req(20), req(21)]));
    expect(f.code).toBe('NUMERIC');
    expect(f.message).toMatch(/^row 1, generated position 1: logit of token 3 is NaN/);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { Rng, isLvrError } from '@lvr/core';
import type { CacheHandle, PrefillRow, StepInput, StepModel, StepOutput } from '@lvr/decoding';
import { median, timeDecode } from './decode-timing.js';

/** A StepModel whose steps "take" a scripted time on a fake clock and that records what it was given. */
class ScriptedModel implements StepModel {
  readonly hiddenSize = 2;
  readonly vocabSize = 50;
  readonly tokens = { eosId: 0, padId: 0, lvrStartId: 1, lvrId: 2, lvrLatentEndId: 3, lvrEndId: 4, latentIds: [] };
  readonly backend = 'scripted';
  readonly prompts: PrefillRow[] = [];
  readonly inputs: StepInput[][] = [];
  released = 0;
  clock = 0;
  private n = 0;
  constructor(private readonly tokenMs: number[], private readonly latentMs: number[]) {}
  private out(b: number, tag: number): StepOutput {
    return { logits: new Float32Array(b * this.vocabSize), hidden: new Float32Array(b * 2), latent: Float32Array.from({ length: b * 2 }, (_, i) => tag * 100 + i) };
  }
  async prefill(rows: readonly PrefillRow[]) {
    this.prompts.push(...rows);
    this.clock += 5;
    return { ...this.out(rows.length, 0), cache: { batchSize: rows.length, length: rows[0]!.inputIds.length } };
  }
  async step(_c: CacheHandle, inputs: readonly StepInput[]) {
    this.inputs.push([...inputs]);
    const k = this.n++;
    this.clock += inputs[0]!.kind === 'token' ? (this.tokenMs[k >> 1] as number) : (this.latentMs[k >> 1] as number);
    return this.out(inputs.length, k + 1);
  }
  release() { this.released++; }
}

afterEach(() => { vi.restoreAllMocks(); });

describe('timeDecode', () => {
  it('alternates token and latent steps, feeds each token step’s latent back and takes medians after the warm-up', async () => {
    const sm = new ScriptedModel([100, 100, 3, 1, 2], [100, 100, 9, 7, 8]);
    vi.spyOn(performance, 'now').mockImplementation(() => sm.clock);
    const t = await timeDecode(sm, { batch: 2, context: 5, reps: 3, warmup: 2, textIds: [20, 21, 22], rng: new Rng(1) });
    expect([t.tokenMs, t.latentMs, t.prefillMs]).toEqual([2, 8, 5]);
    expect(sm.prompts.map((p) => p.inputIds.length)).toEqual([5, 5]);
    expect(sm.prompts.every((p) => [...p.inputIds].every((id) => id >= 20 && id <= 22))).toBe(true);
    expect(sm.inputs).toHaveLength(10);
    expect(sm.inputs.map((i) => i[0]!.kind)).toEqual(Array.from({ length: 10 }, (_, k) => (k % 2 ? 'embedding' : 'token')));
    // step 3 (a latent step) gets the latent of step 2 (tagged k + 1 = 3 → 300, 301 | 302, 303), split per row
    const fed = sm.inputs[3]!.map((i) => (i.kind === 'embedding' ? [...i.vector] : []));
    expect(fed).toEqual([[300, 301], [302, 303]]);
    expect(sm.released).toBe(1);
  });

  it('releases the cache when a step throws and rejects bad options', async () => {
    const sm = new ScriptedModel([1], [1]);
    sm.step = async () => { throw new Error('boom'); };
    await expect(timeDecode(sm, { batch: 1, context: 2, reps: 1, textIds: [5], rng: new Rng(1) })).rejects.toThrow('boom');
    expect(sm.released).toBe(1);
    const err = await timeDecode(sm, { batch: 0, context: 2, reps: 1, textIds: [5], rng: new Rng(1) }).catch((e: unknown) => e);
    expect(isLvrError(err) && err.code === 'INVALID_ARGUMENT').toBe(true);
  });
});

describe('median', () => {
  it('takes the middle (upper middle for even counts) and rejects an empty list', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(3);
    expect(() => median([])).toThrow(/empty/);
  });
});

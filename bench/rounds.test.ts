import { describe, expect, it } from 'vitest';
import type { DecodeTiming } from './decode-timing.js';
import type { TrainFlops } from './flops.js';
import type { BenchResults } from './report.js';
import { combineRounds } from './rounds.js';
import type { TrainTiming } from './train-timing.js';

const dec = (batch: number, context: number, tokenMs: number): DecodeTiming => ({ batch, context, tokenMs, latentMs: 2 * tokenMs, prefillMs: tokenMs });
const train = (c: 'full' | 'lm', ms: number): TrainTiming => ({ case: c, ms, timesMs: [ms], trainableParams: 7, headRows: 3, firstLoss: 2, lastLoss: 1, tensorsBefore: 0, tensorsAfter: 0 });
const flops: TrainFlops = { forwardLm: 1, forwardHead: 1, forwardVision: 1, forward: 3, step: 9 };

function round(k: number, torch: boolean): BenchResults {
  return {
    decode: { ort: [dec(8, 64, k), dec(1, 64, 10 * k)], tfjs: [dec(1, 64, k + 1), dec(8, 64, 1)], torch: torch ? [dec(1, 64, 3), dec(8, 64, k)] : undefined },
    train: { batch: 32, length: 64, tfjs: [train('full', 100 * k), train('lm', 50)], torch: torch ? { full: 10 * k, lm: 5 } : undefined, flops: { full: flops, lm: flops } },
    preprocess: [{ file: 'a.png', rows: 4, pil: k, lvr: { pil: 2 * k, sharp: 3 } }],
    peak: { tfjs: { n: 10, ms: k, gflops: 0 }, torch: torch ? { n: 10, ms: 1, gflops: 0 } : undefined },
  };
}

describe('combineRounds', () => {
  it('takes the median over rounds of every figure, matching decode cases by (batch, context)', () => {
    const c = combineRounds([round(1, true), round(9, true), round(4, true)]);
    expect(c.decode.ort).toEqual([dec(8, 64, 4), dec(1, 64, 40)]);
    expect(c.decode.tfjs.map((d) => d.tokenMs)).toEqual([5, 1]);
    expect(c.decode.torch?.map((d) => d.tokenMs)).toEqual([3, 4]);
    expect(c.train.tfjs.map((t) => t.ms)).toEqual([400, 50]);
    expect(c.train.tfjs[0]!.timesMs).toEqual([100, 900, 400]);
    expect(c.train.torch).toEqual({ full: 40, lm: 5 });
    expect(c.preprocess).toEqual([{ file: 'a.png', rows: 4, pil: 4, lvr: { pil: 8, sharp: 3 } }]);
    expect(c.peak.tfjs.ms).toBe(4);
    expect(c.peak.tfjs.gflops).toBeCloseTo((2 * 1000) / 0.004 / 1e9, 12);
  });

  it('drops a reference that is missing in any round and rejects mismatched or empty rounds', () => {
    const c = combineRounds([round(1, true), round(2, false)]);
    expect([c.decode.torch, c.train.torch, c.peak.torch]).toEqual([undefined, undefined, undefined]);
    const bad = round(2, true);
    expect(() => combineRounds([round(1, true), { ...bad, decode: { ...bad.decode, ort: [dec(8, 64, 1)] } }])).toThrow(/round 1 lacks decode case B=1, context 64/);
    expect(() => combineRounds([])).toThrow(/no rounds/);
  });
});

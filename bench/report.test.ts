import { describe, expect, it } from 'vitest';
import type { DecodeTiming } from './decode-timing.js';
import type { TrainFlops } from './flops.js';
import { ratioRows, ratioTable, type BenchResults } from './report.js';
import type { TrainTiming } from './train-timing.js';

const dec = (batch: number, context: number, tokenMs: number, latentMs: number): DecodeTiming => ({ batch, context, tokenMs, latentMs, prefillMs: 1 });
const train = (c: 'full' | 'lm', ms: number): TrainTiming => ({ case: c, ms, timesMs: [ms], trainableParams: 1, headRows: 10, firstLoss: 1, lastLoss: 1, tensorsBefore: 0, tensorsAfter: 0 });
const flops = (step: number): TrainFlops => ({ forwardLm: 0, forwardHead: 0, forwardVision: 0, forward: step / 3, step });

function results(withTorch: boolean): BenchResults {
  return {
    decode: {
      ort: [dec(1, 64, 0.5, 0.4), dec(8, 64, 2, 2)],
      tfjs: [dec(1, 64, 4, 4), dec(8, 64, 8, 8)],
      torch: withTorch ? [dec(1, 64, 1, 1), dec(8, 64, 2, 1)] : undefined,
    },
    train: { batch: 32, length: 64, tfjs: [train('full', 300), train('lm', 100)], torch: withTorch ? { full: 100, lm: 100 } : undefined, flops: { full: flops(3e9), lm: flops(1.5e9) } },
    preprocess: [{ file: '/x/a.png', lvr: { pil: 90, sharp: 120 }, pil: 30, rows: 1024 }, { file: '/x/b.jpeg', lvr: { pil: 50, sharp: 60 }, pil: 100, rows: 3888 }],
    peak: { tfjs: { n: 1024, ms: 50, gflops: 40 }, torch: withTorch ? { n: 1024, ms: 10, gflops: 200 } : undefined },
  };
}

describe('ratioRows', () => {
  it('computes time ratios for decode and training and speed ratios for preprocessing, with target status', () => {
    const rows = ratioRows(results(true));
    expect(rows).toHaveLength(4 + 2 + 2 + 1 + 2);
    const ort1 = rows[0]!;
    expect(ort1.benchmark).toBe('decode, ORT vs PyTorch');
    expect(ort1.ratio).toBe('0.50× time (token) · 0.40× (latent)');
    expect(ort1.status).toBe('met'); // exactly at the 0.5× target
    expect(rows[1]!.status).toBe('not met'); // 2 ms vs 2 ms = 1.0×
    expect(rows[1]!.lvr).toBe('2.00 ms/token · 4,000 latent steps/s');
    expect(rows[2]!.target).toBe('–'); // tfjs decode has no target
    const trainFull = rows.find((r) => r.benchmark.startsWith('train step') && r.case.startsWith('full'))!;
    expect([trainFull.ratio, trainFull.status]).toEqual(['3.00× time', 'not met']);
    const trainLm = rows.find((r) => r.benchmark.startsWith('train step') && r.case.startsWith('LM'))!;
    expect(trainLm.status).toBe('met'); // 1.0× ≤ 1.0×
    const pre = rows.filter((r) => r.benchmark.startsWith('preprocessing'));
    expect(pre.map((r) => [r.ratio, r.status])).toEqual([['3.00× speed', 'met'], ['0.50× speed', 'not met']]);
    expect(pre[0]!.case).toBe('a.png (1024 rows)');
    const achieved = rows.filter((r) => r.benchmark.startsWith('achieved'));
    // 3 GFLOP in 300 ms = 10 GFLOP/s = 25 % of the 40 GFLOP/s wasm peak and 5 % of the 200 GFLOP/s machine peak
    expect(achieved[0]!.lvr).toBe('10.0 GFLOP/s = 25 % of the wasm peak, 5 % of the machine peak');
    expect(achieved[0]!.reference).toBe('30.0 GFLOP/s = 15 % of its peak');
  });

  it('marks the reference as not run without PyTorch', () => {
    const rows = ratioRows(results(false));
    const decode = rows.filter((r) => r.benchmark.startsWith('decode'));
    expect(decode.every((r) => r.reference === 'not run' && r.ratio === '–' && r.status === '–')).toBe(true);
    expect(rows.find((r) => r.benchmark.startsWith('train step'))!.status).toBe('–');
    expect(rows.find((r) => r.benchmark.startsWith('peak'))!.reference).toBe('not run');
  });
});

describe('ratioTable', () => {
  it('renders a markdown table with one line per row and escapes pipes', () => {
    const rows = ratioRows(results(true));
    const text = ratioTable([...rows, { ...rows[0]!, case: 'a | b' }]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(2 + rows.length + 1);
    expect(lines[0]).toBe('| benchmark | case | @lvr | reference | ratio (@lvr ÷ reference) | target | status |');
    expect(lines[1]).toBe('|---|---|---|---|---|---|---|');
    expect(lines.at(-1)).toContain('a \\| b');
    for (const l of lines.slice(2)) expect(l.split(/(?<!\\)\|/).length).toBe(9);
  });
});

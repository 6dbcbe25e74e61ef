/**
 * Combining several rounds of `npm run bench`. Each round measures everything once (every figure a median of
 * its repetitions); the reported figure is the median over rounds of those per-round medians. Spreading the
 * rounds over a few minutes keeps one burst of load from other jobs from deciding a ratio.
 */
import { LvrError } from '@lvr/core';
import { median, type DecodeTiming } from './decode-timing.js';
import type { MatmulPeak } from './flops.js';
import type { PreprocessComparison } from './pil-compare.js';
import type { BenchResults } from './report.js';
import type { TrainCase, TrainTiming } from './train-timing.js';

function decodeMedian(rounds: readonly (readonly DecodeTiming[])[]): DecodeTiming[] {
  const first = rounds[0] ?? [];
  return first.map((d) => {
    const same = rounds.map((r, i) => {
      const x = r.find((y) => y.batch === d.batch && y.context === d.context);
      if (!x) throw new LvrError('INVALID_ARGUMENT', `combineRounds: round ${i} lacks decode case B=${d.batch}, context ${d.context}`);
      return x;
    });
    return {
      batch: d.batch,
      context: d.context,
      tokenMs: median(same.map((x) => x.tokenMs)),
      latentMs: median(same.map((x) => x.latentMs)),
      prefillMs: median(same.map((x) => x.prefillMs)),
    };
  });
}

function peakMedian(peaks: readonly MatmulPeak[]): MatmulPeak {
  const ms = median(peaks.map((p) => p.ms));
  const n = (peaks[0] as MatmulPeak).n;
  return { n, ms, gflops: (2 * n ** 3) / (ms / 1000) / 1e9 };
}

/**
 * Median over rounds of every figure (decode per (batch, context), train step per case, preprocessing per file,
 * peak per runtime). FLOP counts and shapes come from the first round. A reference absent in any round is absent.
 *
 * @example
 * const results = combineRounds([round1, round2, round3]);
 */
export function combineRounds(rounds: readonly BenchResults[]): BenchResults {
  const first = rounds[0];
  if (!first) throw new LvrError('INVALID_ARGUMENT', 'combineRounds: no rounds');
  const all = <T>(pick: (r: BenchResults) => T | undefined): T[] | undefined => {
    const xs = rounds.map(pick);
    return xs.every((x) => x !== undefined) ? (xs as T[]) : undefined;
  };
  const torchDecode = all((r) => r.decode.torch);
  const train: TrainTiming[] = first.train.tfjs.map((t) => {
    const same = rounds.map((r) => r.train.tfjs.find((x) => x.case === t.case) as TrainTiming);
    return { ...t, ms: median(same.map((x) => x.ms)), timesMs: same.flatMap((x) => [...x.timesMs]), lastLoss: (same.at(-1) as TrainTiming).lastLoss };
  });
  const torchTrain = all((r) => r.train.torch);
  let trainRef: Partial<Record<TrainCase, number>> | undefined;
  if (torchTrain) {
    trainRef = {};
    for (const c of ['full', 'lm'] as const) {
      const xs = torchTrain.map((t) => t[c]);
      if (xs.every((x): x is number => x !== undefined)) trainRef[c] = median(xs);
    }
  }
  const preprocess: PreprocessComparison[] = first.preprocess.map((p) => {
    const same = rounds.map((r) => r.preprocess.find((x) => x.file === p.file) as PreprocessComparison);
    return { file: p.file, rows: p.rows, pil: median(same.map((x) => x.pil)), lvr: { pil: median(same.map((x) => x.lvr.pil)), sharp: median(same.map((x) => x.lvr.sharp)) } };
  });
  const torchPeak = all((r) => r.peak.torch);
  return {
    decode: { ort: decodeMedian(rounds.map((r) => r.decode.ort)), tfjs: decodeMedian(rounds.map((r) => r.decode.tfjs)), torch: torchDecode ? decodeMedian(torchDecode) : undefined },
    train: { batch: first.train.batch, length: first.train.length, tfjs: train, torch: trainRef, flops: first.train.flops },
    preprocess,
    peak: { tfjs: peakMedian(rounds.map((r) => r.peak.tfjs)), torch: torchPeak ? peakMedian(torchPeak) : undefined },
  };
}

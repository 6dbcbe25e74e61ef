/**
 * Throughput of `bboxToTokenIndices` (calls/s and indices/s) on the stage-1 grids of a 448×448 image
 * (patch grid 32×32, 256 tokens) and a 3000×2000 image (resized to 2436×1624, patch grid 116×174,
 * 5046 tokens), with seeded random boxes, for both rules. Median of several timed repetitions.
 *
 * Run: node --conditions=@lvr/source --import tsx bench/roi.ts [--reps 7] [--boxes 4096]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Rng } from '@lvr/core';
import { bboxToTokenIndices, type NormalizedBox, type PatchGrid, type RoiRule } from '@lvr/data';

const { values } = parseArgs({
  options: { reps: { type: 'string', default: '7' }, boxes: { type: 'string', default: '4096' } },
});
const REPS = Number(values.reps);
const BOXES = Number(values.boxes);
const TARGET_MS = 200; // each repetition runs whole passes over the boxes for at least this long

/** Random boxes: side lengths from tiny to the full image, like real ROI annotations. */
function randomBoxes(rng: Rng, n: number): NormalizedBox[] {
  return Array.from({ length: n }, () => {
    const w = rng.uniform(0.01, 1);
    const h = rng.uniform(0.01, 1);
    const x0 = rng.uniform(0, 1 - w);
    const y0 = rng.uniform(0, 1 - h);
    return [x0, y0, x0 + w, y0 + h] as const;
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

function bench(grid: PatchGrid, rule: RoiRule, boxes: readonly NormalizedBox[]) {
  let sink = 0;
  const pass = (): number => {
    let indices = 0;
    for (const box of boxes) {
      const idx = bboxToTokenIndices(box, grid, { rule });
      indices += idx.length;
      sink ^= idx.length > 0 ? (idx[idx.length - 1] as number) : 0;
    }
    return indices;
  };
  pass(); // warm-up (JIT)
  const callRates: number[] = [];
  const indexRates: number[] = [];
  for (let r = 0; r < REPS; r++) {
    let calls = 0;
    let indices = 0;
    const t0 = performance.now();
    let dt = 0;
    do {
      indices += pass();
      calls += boxes.length;
      dt = performance.now() - t0;
    } while (dt < TARGET_MS);
    callRates.push((calls / dt) * 1000);
    indexRates.push((indices / dt) * 1000);
  }
  return { calls: median(callRates), indices: median(indexRates), sink };
}

const grids: [string, PatchGrid][] = [
  ['448×448 (grid 32×32, 256 tok)', { t: 1, h: 32, w: 32 }],
  ['3000×2000 (grid 116×174, 5046 tok)', { t: 1, h: 116, w: 174 }],
];
const rng = new Rng('bench-roi');
const boxes = randomBoxes(rng, BOXES);
const fmt = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(1)} k`);

console.log(`bboxToTokenIndices — ${BOXES} seeded random boxes, median of ${REPS} reps (≥ ${TARGET_MS} ms each), node ${process.version}`);
console.log(`${'image'.padEnd(36)}${'rule'.padEnd(8)}${'calls/s'.padStart(12)}${'indices/s'.padStart(14)}${'idx/call'.padStart(10)}`);
for (const [name, grid] of grids) {
  for (const rule of ['packed', 'manual'] as const) {
    const r = bench(grid, rule, boxes);
    console.log(`${name.padEnd(36)}${rule.padEnd(8)}${fmt(r.calls).padStart(12)}${fmt(r.indices).padStart(14)}${(r.indices / r.calls).toFixed(1).padStart(10)}`);
  }
}

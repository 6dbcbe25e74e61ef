import { describe, expect, it } from 'vitest';
import { scoreBlink } from './blink.js';
import { cvBenchOfficial, scoreCvBench } from './cvbench.js';
import { formatScoreTable } from './format.js';
import type { Metric, ScorableResult, ScoreReport } from './metric.js';
import { scoreMmvp } from './mmvp.js';
import { scoreAll, scoreResults } from './score-results.js';
import { scoreSynthetic } from './synthetic.js';
import { scoreVstar } from './vstar.js';

const get = (r: ScoreReport, name: string): Metric => {
  const m = r.metrics.find((x) => x.metric === name);
  if (m === undefined) throw new Error(`no metric ${name} in ${r.metrics.map((x) => x.metric).join(', ')}`);
  return m;
};
const res = (id: string, category: string, correct: boolean, extra: Partial<ScorableResult> = {}): ScorableResult => ({ id, category, correct, ...extra });
const opts = { resamples: 400 };

function expectSaneInterval(r: ScoreReport): void {
  for (const m of r.metrics) {
    expect(m.lo).toBeLessThanOrEqual(m.value + 1e-12);
    expect(m.hi).toBeGreaterThanOrEqual(m.value - 1e-12);
    expect(m.lo).toBeGreaterThanOrEqual(0);
    expect(m.hi).toBeLessThanOrEqual(1);
  }
}

describe('scoreMmvp', () => {
  it('question accuracy and pair accuracy (a pair counts only when both are right)', () => {
    const results = [
      res('1', 'mmvp', true, { pairId: '0' }), res('2', 'mmvp', true, { pairId: '0' }),
      res('3', 'mmvp', true, { pairId: '1' }), res('4', 'mmvp', false, { pairId: '1' }),
      res('5', 'mmvp', true, { pairId: '2' }), res('6', 'mmvp', true, { pairId: '2' }),
      res('7', 'mmvp', true, { pairId: '3' }),
    ];
    const r = scoreMmvp(results, opts);
    expect(get(r, 'mmvp/question_accuracy')).toMatchObject({ value: 6 / 7, n: 7 });
    expect(get(r, 'mmvp/pair_accuracy')).toMatchObject({ value: 2 / 3, n: 3 });
    expect(r.notes).toEqual(['mmvp/pair_accuracy: 1 pair(s) without exactly two results were left out']);
    expectSaneInterval(r);
  });

  it('resamples pairs: half of every pair right gives question accuracy 0.5 but pair accuracy exactly 0', () => {
    const results = Array.from({ length: 100 }, (_, i) => res(`${i}`, 'mmvp', i % 2 === 0, { pairId: `${i >> 1}` }));
    const r = scoreMmvp(results, opts);
    expect(get(r, 'mmvp/pair_accuracy')).toEqual({ metric: 'mmvp/pair_accuracy', value: 0, lo: 0, hi: 0, n: 50 });
    const q = get(r, 'mmvp/question_accuracy');
    expect(q.value).toBe(0.5);
    expect(q.hi - q.lo).toBeGreaterThan(0.1);
  });
});

describe('scoreVstar', () => {
  it('per category and pooled overall (not the mean of categories)', () => {
    const results = [
      ...[0, 1, 2, 3].map((i) => res(`da${i}`, 'direct_attributes', true)),
      res('rp0', 'relative_position', false), res('rp1', 'relative_position', false),
    ];
    const r = scoreVstar(results, opts);
    expect(r.metrics.map((m) => [m.metric, m.value, m.n])).toEqual([
      ['vstar/direct_attributes', 1, 4],
      ['vstar/relative_position', 0, 2],
      ['vstar/overall', 4 / 6, 6],
    ]);
    expect(scoreVstar([res('x', 'direct_attributes', true)], opts).notes).toEqual(['vstar: no results for relative_position']);
  });
});

describe('scoreBlink', () => {
  it('per subtask, the official macro mean (within-subtask resampling) and micro, flagging a subset', () => {
    const results = [
      ...Array.from({ length: 10 }, (_, i) => res(`c${i}`, 'Counting', true)),
      ...Array.from({ length: 30 }, (_, i) => res(`j${i}`, 'Jigsaw', false)),
    ];
    const r = scoreBlink(results, opts);
    expect(get(r, 'blink/Counting')).toMatchObject({ value: 1, n: 10 });
    expect(get(r, 'blink/Jigsaw')).toMatchObject({ value: 0, n: 30 });
    // within-subtask resampling keeps each subtask's accuracy → the macro interval collapses; micro does not
    expect(get(r, 'blink/macro')).toEqual({ metric: 'blink/macro', value: 0.5, lo: 0.5, hi: 0.5, n: 40 });
    const micro = get(r, 'blink/micro');
    expect(micro.value).toBe(0.25);
    expect(micro.hi - micro.lo).toBeGreaterThan(0.1);
    expect(r.notes[0]).toMatch(/^blink: macro over 2 subtask\(s\) \(Counting, Jigsaw\), not all 14/);
  });
});

describe('scoreCvBench', () => {
  it('the official 0.5·((ADE20K + COCO)/2 + Omni3D), 2D, 3D, per source, per task and micro', () => {
    const mk = (source: string, task: string, right: number, total: number) =>
      Array.from({ length: total }, (_, i) => res(`${source}-${i}`, task, i < right, { groups: { source, type: source === 'Omni3D' ? '3D' : '2D' } }));
    const results = [...mk('ADE20K', 'Count', 3, 4), ...mk('COCO', 'Relation', 1, 2), ...mk('Omni3D', 'Depth', 2, 4)];
    const r = scoreCvBench(results, opts);
    expect(cvBenchOfficial({ ADE20K: 0.75, COCO: 0.5, Omni3D: 0.5 })).toBe(0.5625);
    expect(r.metrics.map((m) => [m.metric, m.value, m.n])).toEqual([
      ['cvbench/official', 0.5625, 10],
      ['cvbench/2d', 0.625, 6],
      ['cvbench/3d', 0.5, 4],
      ['cvbench/source/ADE20K', 0.75, 4],
      ['cvbench/source/COCO', 0.5, 2],
      ['cvbench/source/Omni3D', 0.5, 4],
      ['cvbench/task/Count', 0.75, 4],
      ['cvbench/task/Relation', 0.5, 2],
      ['cvbench/task/Depth', 0.5, 4],
      ['cvbench/micro', 0.6, 10],
    ]);
    expectSaneInterval(r);
    const partial = scoreCvBench(results.filter((x) => x.groups!.source !== 'Omni3D'), opts);
    expect(partial.metrics.map((m) => m.metric)).not.toContain('cvbench/official');
    expect(partial.notes[0]).toMatch(/official score needs ADE20K, COCO and Omni3D/);
    expect(() => scoreCvBench([res('x', 'Count', true)], opts)).toThrow(/has no groups\.source/);
  });
});

describe('scoreSynthetic and the dispatchers', () => {
  it('per task, overall and pair accuracy', () => {
    const results = [
      res('a0', 'attribute', true), res('a1', 'attribute', false),
      res('p0a', 'pair', true, { pairId: 'p0' }), res('p0b', 'pair', true, { pairId: 'p0' }),
      res('p1a', 'pair', true, { pairId: 'p1' }), res('p1b', 'pair', false, { pairId: 'p1' }),
    ];
    const r = scoreSynthetic(results, opts);
    expect(r.metrics.map((m) => [m.metric, m.value])).toEqual([
      ['synthetic/attribute', 0.5],
      ['synthetic/pair', 0.75],
      ['synthetic/overall', 4 / 6],
      ['synthetic/pair_accuracy', 0.5],
    ]);
    expect(scoreResults('synthetic', results, opts)).toEqual(r);
    const mixed = scoreAll([...results.map((x) => ({ ...x, benchmark: 'synthetic' as const })), { ...res('v', 'direct_attributes', true), benchmark: 'vstar' as const }], opts);
    expect(mixed.map((m) => m.benchmark)).toEqual(['synthetic', 'vstar']);
  });

  it('rejects empty input, duplicate ids and non-boolean correctness', () => {
    expect(() => scoreMmvp([])).toThrow(/no results to score/);
    expect(() => scoreVstar([res('a', 'x', true), res('a', 'x', false)])).toThrow(/id a appears twice/);
    expect(() => scoreBlink([{ id: 'a', category: 'x', correct: 1 as unknown as boolean }])).toThrow(/not a boolean/);
    expect(() => scoreResults('gqa' as never, [res('a', 'x', true)])).toThrow(/unknown benchmark "gqa"/);
  });

  it('formats a table in percent with the intervals and the notes', () => {
    const table = formatScoreTable([scoreMmvp([res('1', 'mmvp', true, { pairId: '0' }), res('2', 'mmvp', true, { pairId: '0' }), res('3', 'mmvp', false, { pairId: '1' })], opts)]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^metric\s+value\s+95% CI\s+n$/);
    expect(lines[1]).toMatch(/^mmvp\/question_accuracy\s+66\.7\s+\[\d+\.\d, \d+\.\d\]\s+3$/);
    expect(lines[2]).toMatch(/^mmvp\/pair_accuracy\s+100\.0\s+\[100\.0, 100\.0\]\s+1$/);
    expect(lines[3]).toBe('note: mmvp/pair_accuracy: 1 pair(s) without exactly two results were left out');
  });
});

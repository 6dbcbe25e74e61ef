import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChainFields } from './chain-fields.js';
import { loadSyntheticSuite } from './synthetic.js';

const base = {
  id: 'chase-3-0', image: 'images/0.png', question: 'from the marked object follow three arrows . what shape ?',
  options: ['circle', 'square', 'triangle', 'star'], answer: 'B', answer_word: 'square', category: 'chase-3', task: 'chase-3',
  pair_id: null, roi: [0, 0, 0.25, 0.25],
};
const hops = [[0.25, 0, 0.5, 0.25], [0.5, 0, 0.75, 0.25], [0.5, 0.25, 0.75, 0.5]];
const cf = { rois: [[0, 0.25, 0.25, 0.5], [0, 0.5, 0.25, 0.75], [0, 0.75, 0.25, 1]], answer_word: 'star' };
const loc = { file: 'test.jsonl', line: 7 };

describe('chain fields of synthetic test records', () => {
  it('reads rois, hops and the counterfactual chain; absent fields stay absent', () => {
    expect(readChainFields({ ...base, rois: hops, hops: 3, counterfactual: cf }, loc)).toEqual({ rois: hops, hops: 3, counterfactual: { rois: cf.rois, answerWord: 'star' } });
    expect(readChainFields(base, loc)).toEqual({});
    expect(readChainFields({ ...base, rois: null, counterfactual: null }, loc)).toEqual({});
  });

  it('rejects malformed fields naming line and field', () => {
    const bad = (extra: Record<string, unknown>) => () => readChainFields({ ...base, ...extra }, loc);
    expect(bad({ rois: [[0, 0, 1]] })).toThrow(/test\.jsonl: line 7 field "rois\[0\]": expected \[x0, y0, x1, y1\]/);
    expect(bad({ rois: [] })).toThrow(/field "rois": expected a non-empty array/);
    expect(bad({ rois: [[0.5, 0, 0.25, 1]] })).toThrow(/field "rois\[0\]": expected x0 ≤ x1/);
    expect(bad({ hops: 0 })).toThrow(/field "hops": expected a positive integer/);
    expect(bad({ rois: hops, hops: 2 })).toThrow(/field "rois": expected 2 boxes/);
    expect(bad({ hops: 3, counterfactual: { ...cf, rois: hops.slice(0, 1) } })).toThrow(/field "counterfactual\.rois": expected 3 boxes/);
    expect(bad({ counterfactual: { ...cf, answer_word: 'hexagon' } })).toThrow(/field "counterfactual\.answer_word": expected one of the options/);
    expect(bad({ counterfactual: { ...cf, answer_word: 'square' } })).toThrow(/own answer/);
    expect(bad({ counterfactual: [1] })).toThrow(/field "counterfactual": expected an object/);
    let err: unknown;
    try {
      bad({ hops: 'x' })();
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'DATASET_FORMAT', details: { file: 'test.jsonl', line: 7, field: 'hops' } });
  });
});

describe('loadSyntheticSuite with chain fields', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lvr-chain-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('maps rois / hops / counterfactual onto the items and reports the real line of a bad record', async () => {
    const rec2 = { ...base, id: 'chase-3-1', rois: hops, hops: 3, counterfactual: cf };
    await writeFile(join(dir, 'test.jsonl'), `${JSON.stringify(base)}\n\n${JSON.stringify(rec2)}\n`);
    const items = await loadSyntheticSuite(dir, { checkImages: false });
    expect(items[0]!.rois).toBeUndefined();
    expect(items[0]!.counterfactual).toBeUndefined();
    expect(items[1]).toMatchObject({ rois: hops, hops: 3, counterfactual: { rois: cf.rois, answerWord: 'star' } });
    await writeFile(join(dir, 'test.jsonl'), `${JSON.stringify(base)}\n\n${JSON.stringify({ ...rec2, hops: 2 })}\n`);
    await expect(loadSyntheticSuite(dir, { checkImages: false })).rejects.toMatchObject({ code: 'DATASET_FORMAT', message: expect.stringMatching(/test\.jsonl: line 3 field "rois"/) });
  });
});

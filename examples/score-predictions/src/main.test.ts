import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeDemoData } from './demo-data.js';
import { main, ruleSummary, scorePredictions } from './main.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'lvr-example-score-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const values = (r: Awaited<ReturnType<typeof scorePredictions>>) =>
  Object.fromEntries(r.reports.flatMap((rep) => rep.metrics.map((m) => [m.metric, Number(m.value.toFixed(4))])));

describe('score-predictions example', () => {
  it('scores MMVP (question + pair), V* (per category + pooled) and BLINK (per subtask, macro, micro) from a predictions file', async () => {
    const paths = await writeDemoData(root);
    const r = await scorePredictions({ ...paths, out: join(root, 'results') });
    expect(values(r)).toEqual({
      'mmvp/question_accuracy': 0.75,
      'mmvp/pair_accuracy': 0.5,
      'vstar/direct_attributes': 1,
      'vstar/relative_position': 0,
      'vstar/overall': 0.6667,
      'blink/Counting': 0.5,
      'blink/Jigsaw': 1,
      'blink/macro': 0.75,
      'blink/micro': 0.75,
    });
    expect(ruleSummary(r.records)).toBe('rules: answer-is 1, answer-tag 1, bare-letter 4, option-text 2, standalone-letter 2, unparsed 1');
    expect(r).toMatchObject({ computed: 11, missing: [] });
    // a second run finds every record in the results files and recomputes nothing
    const again = await scorePredictions({ ...paths, out: join(root, 'results') });
    expect(again.computed).toBe(0);
    expect(values(again)).toEqual(values(r));
  });

  it("the LVR reference's first-character rule reads the same replies differently", async () => {
    const paths = await writeDemoData(root);
    const r = await scorePredictions({ ...paths, out: join(root, 'results'), mode: 'lvr-reference' });
    // "The answer is B" → "T", "(B)" → "(", "Right" → "R": only the <answer> A </answer> reply is right
    expect(values(r)['mmvp/question_accuracy']).toBe(0.25);
  });

  it('the command scores given folders and reports items without a prediction', async () => {
    const paths = await writeDemoData(root);
    await writeFile(paths.predictions, `${JSON.stringify({ id: 'mmvp-1', prediction: 'A' })}\n${JSON.stringify({ id: 'mmvp-2', prediction: 'B' })}\n`);
    const text = await main(['--mmvp', paths.mmvp, '--vstar', paths.vstar, '--predictions', paths.predictions, '--out', join(root, 'out')]);
    expect(text).toMatch(/^scored 2 predictions \(2 new, 0 already in .*out\), extraction mode default; 5 item\(s\) without a prediction: mmvp-3, mmvp-4, vstar-0, vstar-1, vstar-115/);
    expect(text).toMatch(/\nmmvp\/pair_accuracy\s+100\.0\s+\[100\.0, 100\.0\]\s+1\n/);
    await expect(main(['--predictions', paths.predictions, '--mode', 'guess'])).rejects.toThrow(/--mode must be one of/);
  });

  it('runs the demo end to end without arguments', async () => {
    const text = await main([]);
    expect(text).toMatch(/scored 11 predictions \(11 new, 0 already in/);
    expect(text).toMatch(/\nblink\/macro\s+75\.0 /);
  });
});

import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLvrSftMeta } from '../datasets/lvr-sft-meta.js';
import { recordLvrGroups } from '../roi/lvr-groups.js';
import { LvrTokenizer } from '../tokenizer/tokenizer.js';
import { questionOnlyBaseline } from './baseline.js';
import { allocateCounts, generateExamples } from './examples.js';
import { generateSuite, SUITE_FILES, type SuiteResult } from './suite.js';
import { resolveTaskOptions } from './tasks/task-options.js';
import { readSyntheticTestSet } from './test-set.js';

const OPTS = { seed: 5, trainCount: 16, testCount: 16, tasks: ['chase', 'majority'] as const, hops: [1, 2, 3, 4] };

let root: string;
let first: SuiteResult;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lvr-reasoning-suite-'));
  first = await generateSuite({ ...OPTS, tasks: [...OPTS.tasks], outDir: join(root, 'a') });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('generateSuite with the reasoning tasks', () => {
  it('is byte-identical per seed (legend variant too)', async () => {
    await generateSuite({ ...OPTS, tasks: [...OPTS.tasks], outDir: join(root, 'b') });
    const files = (await readdir(join(root, 'a'))).filter((f) => f !== 'images');
    const images = await readdir(join(root, 'a', 'images'));
    expect(images).toHaveLength(32);
    for (const f of [...files, ...images.map((i) => `images/${i}`)]) {
      expect(Buffer.compare(await readFile(join(root, 'a', f)), await readFile(join(root, 'b', f))), f).toBe(0);
    }
    await generateSuite({ ...OPTS, tasks: ['chase'], legend: true, outDir: join(root, 'l1') });
    await generateSuite({ ...OPTS, tasks: ['chase'], legend: true, outDir: join(root, 'l2') });
    for (const f of [SUITE_FILES.train, SUITE_FILES.test, 'images/test-chase-00003.png']) {
      expect(Buffer.compare(await readFile(join(root, 'l1', f)), await readFile(join(root, 'l2', f))), f).toBe(0);
    }
    expect(await readFile(join(root, 'l1', SUITE_FILES.test), 'utf8')).toMatch(/"question":"legend : \w+ \w+ , /);
  });

  it('writes chain SFT records: one <lvr> whose ordered boxes become one group in hop order', async () => {
    const dir = join(root, 'a');
    const [set] = await readLvrSftMeta(join(dir, SUITE_FILES.meta), { checkImages: 'exists' });
    expect(set!.skipped).toEqual([]);
    const chase = set!.records.filter((r) => r.extra.task === 'chase');
    expect(chase).toHaveLength(8);
    for (const r of chase) {
      const ex = first.train.find((e) => e.id === r.id)!;
      expect(r.lvrChain).toBe(true);
      expect(r.conversations[1]!.value.match(/<lvr>/g)).toHaveLength(1);
      expect(r.bboxes).toEqual(ex.rois);
      expect(r.bboxes).toHaveLength(ex.hops!);
      const groups = recordLvrGroups(r, { t: 1, h: 8, w: 8 }, { mergeSize: 2 });
      expect(groups).toHaveLength(1);
      // cell index = row·4 + col of each hop box, in hop order (not sorted)
      expect(groups[0]).toEqual(ex.rois!.map(([x0, y0]) => Math.round(y0 * 4) * 4 + Math.round(x0 * 4)));
    }
    const majority = set!.records.filter((r) => r.extra.task === 'majority');
    expect(majority.every((r) => r.lvrChain === true && r.bboxes.length >= 1)).toBe(true);
    const raw = JSON.parse(await readFile(join(dir, SUITE_FILES.train), 'utf8')) as Record<string, unknown>[];
    expect(Object.keys(raw[0]!).slice(0, 5)).toEqual(['id', 'image', 'conversations', 'bboxes', 'lvr_chain']);
  });

  it('writes test.jsonl with hops, ordered rois and the counterfactual; the reader validates them', async () => {
    const items = await readSyntheticTestSet(join(root, 'a'));
    const chase = items.filter((i) => i.task === 'chase');
    expect(chase.map((i) => i.hops)).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
    for (const it of chase) {
      expect(it.rois).toHaveLength(it.hops!);
      expect(it.counterfactual!.rois).toHaveLength(it.hops!);
      expect(it.counterfactual!.answer_word).not.toBe(it.answer_word);
      expect(it.category).toBe(`chase_k${it.hops}`);
    }
    const maj = items.filter((i) => i.task === 'majority');
    expect(maj.every((i) => i.hops === undefined && i.counterfactual === undefined && i.rois!.length >= 1)).toBe(true);
    // The validator: a wrong number of hop boxes is a DATASET_FORMAT error naming the field.
    const bad = join(root, 'bad');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(bad);
    const line = JSON.parse((await readFile(join(root, 'a', SUITE_FILES.test), 'utf8')).split('\n').find((l) => l.includes('"hops":3'))!);
    line.rois = line.rois.slice(0, 2);
    await writeFile(join(bad, SUITE_FILES.test), `${JSON.stringify(line)}\n`);
    await expect(readSyntheticTestSet(bad)).rejects.toThrow(/field "rois": expected 3 boxes/);
    line.rois = line.counterfactual.rois;
    line.counterfactual.answer_word = 'purple';
    await writeFile(join(bad, SUITE_FILES.test), `${JSON.stringify(line)}\n`);
    await expect(readSyntheticTestSet(bad)).rejects.toThrow(/counterfactual.answer_word/);
  });

  it('records the reasoning knobs and chance levels only for the reasoning tasks', async () => {
    const m = JSON.parse(await readFile(join(root, 'a', SUITE_FILES.manifest), 'utf8'));
    expect(m.tasks).toEqual(['chase', 'majority']);
    expect(m.knobs).toMatchObject({ hops: [1, 2, 3, 4], legend: false, majorityObjects: [10, 16] });
    expect(m.chance).toEqual({ chase: { options: 0.25, open: 0.25 }, majority: { options: 0.25, open: 0.125 } });
    const tok = await LvrTokenizer.fromFile(join(root, 'a', SUITE_FILES.tokenizer));
    const unk = tok.tokenToId('<unk>', { required: true });
    for (const e of [...first.train, ...first.test]) expect(tok.encode(`${e.question} ${e.options.join(' ')}`), e.question).not.toContain(unk);
    const perception = await generateSuite({ seed: 5, trainCount: 4, testCount: 4, outDir: join(root, 'p') });
    expect(Object.keys(perception.manifest.knobs)).not.toContain('hops');
    expect(Object.keys(perception.manifest.knobs)).not.toContain('majorityObjects');
  });
});

describe('question-only baseline on the reasoning tasks', () => {
  it('stays near chance (25 %) for chase (with and without a legend) and majority', () => {
    for (const legend of [false, true]) {
      const o = resolveTaskOptions({ legend });
      const kinds = ['chase', 'majority'] as const;
      const train = generateExamples('train', allocateCounts(1200, kinds), 11, o);
      const test = generateExamples('test', allocateCounts(800, kinds), 11, o);
      const { byTask } = questionOnlyBaseline(train, test);
      expect(byTask.chase!.accuracy).toBeGreaterThan(0.17);
      expect(byTask.chase!.accuracy).toBeLessThan(0.33);
      expect(byTask.majority!.accuracy).toBeLessThan(0.33);
    }
  });
});

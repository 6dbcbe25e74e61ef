import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '@lvr/core';
import { LvrTokenizer } from '../tokenizer/tokenizer.js';
import { readLvrSftMeta } from '../datasets/lvr-sft-meta.js';
import { generateSuite, SUITE_FILES, type SuiteResult } from './suite.js';
import { readSyntheticTestSet } from './test-set.js';
import { generateCaptionExample } from './caption.js';
import { Rng } from '@lvr/core';

const OPTS = { seed: 3, trainCount: 24, testCount: 16 } as const;

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

let root: string;
let first: SuiteResult;
const events: ProgressEvent[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lvr-suite-'));
  first = await generateSuite({ ...OPTS, outDir: join(root, 'a'), onProgress: (e) => events.push(e) });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('generateSuite', () => {
  it('writes byte-identical files for the same seed, and different ones for another seed', async () => {
    await generateSuite({ ...OPTS, outDir: join(root, 'b') });
    await generateSuite({ ...OPTS, seed: 4, outDir: join(root, 'c') });
    const a = await listFiles(join(root, 'a'));
    expect(a).toEqual(await listFiles(join(root, 'b')));
    expect(a).toHaveLength(40 + 5);
    for (const f of a) {
      expect(Buffer.compare(await readFile(join(root, 'a', f)), await readFile(join(root, 'b', f))), f).toBe(0);
    }
    const trainA = await readFile(join(root, 'a', SUITE_FILES.train));
    expect(Buffer.compare(trainA, await readFile(join(root, 'c', SUITE_FILES.train)))).not.toBe(0);
    const img = 'images/test-attribute-00000.png';
    expect(Buffer.compare(await readFile(join(root, 'a', img)), await readFile(join(root, 'c', img)))).not.toBe(0);
  });

  it('reports progress per image', () => {
    expect(events[0]).toMatchObject({ status: 'start', task: 'synthetic', total: 40 });
    expect(events.at(-1)).toMatchObject({ status: 'done', done: 40 });
  });

  it('writes LVR SFT records readable by the dataset reader, with matching images and boxes', async () => {
    const dir = join(root, 'a');
    const meta = JSON.parse(await readFile(join(dir, SUITE_FILES.meta), 'utf8'));
    expect(meta).toEqual([{ data_path: 'train.json', image_folder: '.', ds_name: 'synthetic' }]);
    const train = JSON.parse(await readFile(join(dir, SUITE_FILES.train), 'utf8')) as Record<string, unknown>[];
    expect(train).toHaveLength(24);
    const rec = train[0]!;
    expect(Object.keys(rec).slice(0, 4)).toEqual(['id', 'image', 'conversations', 'bboxes']);
    const ex = first.train[0]!;
    expect(rec.conversations).toEqual([
      { from: 'human', value: `<image>\n${ex.question}` },
      { from: 'gpt', value: `<lvr>\n<answer> ${ex.answerWord} </answer>` },
    ]);
    expect(rec.bboxes).toEqual([[...ex.roi]]);
    const sets = await readLvrSftMeta(join(dir, SUITE_FILES.meta), { checkImages: 'decode' });
    expect(sets[0]!.records).toHaveLength(24);
    expect(sets[0]!.skipped).toEqual([]);
    const { info } = await sharp(join(dir, ex.image)).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([64, 64, 3]);
  });

  it('writes a benchmark-style test set with adjacent pairs', async () => {
    const items = await readSyntheticTestSet(join(root, 'a'));
    expect(items).toHaveLength(16);
    expect(items.map((i) => i.task)).toEqual([...Array(4).fill('attribute'), ...Array(4).fill('position'), ...Array(4).fill('count'), ...Array(4).fill('pair')]);
    const it0 = items[0]!;
    expect(Object.keys(it0)).toEqual(['id', 'image', 'question', 'options', 'answer', 'answer_word', 'category', 'task', 'pair_id', 'roi']);
    expect(it0.pair_id).toBeNull();
    expect(items[12]!.pair_id).toBe(items[13]!.pair_id);
    expect(items[12]!.question).toBe(items[13]!.question);
    expect(items[12]!.answer_word).not.toBe(items[13]!.answer_word);
  });

  it('writes a tokenizer that knows every question, answer, caption and the system prompt', async () => {
    const tok = await LvrTokenizer.fromFile(join(root, 'a', SUITE_FILES.tokenizer));
    const unk = tok.tokenToId('<unk>', { required: true });
    const texts = [
      ...first.train.map((e) => `${e.question} <answer> ${e.answerWord} </answer>`),
      ...first.test.flatMap((e) => [e.question, ...e.options]),
      generateCaptionExample(new Rng(0), { minObjects: 10 }).caption,
      'You are a helpful assistant.',
    ];
    for (const t of texts) expect(tok.encode(t), t).not.toContain(unk);
    expect(tok.encode('<answer>')).toHaveLength(1);
    expect(tok.encode('</answer>')).toHaveLength(1);
  });

  it('writes a manifest with knobs, counts, chance levels and the question-only baseline', async () => {
    const m = JSON.parse(await readFile(join(root, 'a', SUITE_FILES.manifest), 'utf8'));
    expect(m).toMatchObject({
      generator: '@lvr/data synthetic',
      version: 1,
      seed: 3,
      knobs: { imageSize: 64, noise: 5, distractors: { attribute: 6 } },
      counts: { train: { attribute: 6, position: 6, count: 6, pair: 6 }, test: { attribute: 4, pair: 4 } },
      chance: { attribute: { options: 0.25, open: 0.125 }, position: { options: 0.5 } },
    });
    expect(Object.keys(m.questionOnlyBaseline)).toEqual(['attribute', 'count', 'pair', 'position']);
  });

  it('rewrites its own folder (removing stale images) but refuses a folder with foreign files', async () => {
    // Its own folder (not the shared 'a' the other tests read), so the tests pass in any order.
    const dir = join(root, 'rewrite');
    await generateSuite({ ...OPTS, outDir: dir });
    expect((await readdir(join(dir, 'images'))).length).toBe(40);
    await generateSuite({ ...OPTS, trainCount: 8, testCount: 4, outDir: dir });
    expect((await readdir(join(dir, 'images'))).length).toBe(12);
    const foreign = join(root, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'notes.txt'), 'mine');
    await expect(generateSuite({ ...OPTS, outDir: foreign })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await readdir(foreign)).toEqual(['notes.txt']);
  });

  it('validates options before writing anything', async () => {
    await expect(generateSuite({ outDir: join(root, 'x'), tasks: ['nope' as never] })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(generateSuite({ outDir: join(root, 'x'), seed: -1 })).rejects.toThrow(/seed/);
    await expect(readdir(join(root, 'x'))).rejects.toThrow();
  });
});

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSuite } from '@lvr/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSyntheticSuite } from './synthetic.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-synth-'));
  await generateSuite({ outDir: join(dir, 'suite'), seed: 3, trainCount: 2, testCount: 8, tasks: ['attribute', 'pair'] });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadSyntheticSuite', () => {
  it("maps the suite's test.jsonl to items (task as category, answer word, ROI, pair ids, checked image paths)", async () => {
    const suite = join(dir, 'suite');
    const records = (await readFile(join(suite, 'test.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const items = await loadSyntheticSuite(suite);
    expect(items).toHaveLength(8);
    items.forEach((it, k) => {
      const r = records[k];
      expect(it).toMatchObject({ id: r.id, benchmark: 'synthetic', question: r.question, options: r.options, answer: r.answer, answerWord: r.answer_word, category: r.task, roi: r.roi });
      expect(it.pairId).toBe(r.pair_id ?? undefined);
      expect(it.meta).toEqual({ category: r.category });
      expect(it.images).toEqual([{ kind: 'file', path: join(suite, r.image) }]);
    });
    const pairs = items.filter((i) => i.category === 'pair');
    expect(pairs.length).toBeGreaterThan(0);
    expect(new Set(pairs.map((p) => p.pairId)).size).toBe(pairs.length / 2);
  });

  it('bad records are reported by @lvr/data with file and line; escaping image paths are refused', async () => {
    const suite = join(dir, 'suite');
    const original = await readFile(join(suite, 'test.jsonl'), 'utf8');
    try {
      const lines = original.trim().split('\n');
      const r = JSON.parse(lines[1]!);
      await writeFile(join(suite, 'test.jsonl'), `${lines[0]}\n${JSON.stringify({ ...r, answer: 'Z' })}\n`);
      await expect(loadSyntheticSuite(suite)).rejects.toMatchObject({ code: 'DATASET_FORMAT', message: expect.stringMatching(/test\.jsonl: line 2 field "answer"/) });
      await writeFile(join(suite, 'test.jsonl'), `${lines[0]}\n${JSON.stringify({ ...r, image: '../../etc/passwd' })}\n`);
      await expect(loadSyntheticSuite(suite)).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT', message: expect.stringMatching(/test\.jsonl: row 1 field "image"/) });
    } finally {
      await writeFile(join(suite, 'test.jsonl'), original);
    }
  });
});

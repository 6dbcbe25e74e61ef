import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { memoryIo } from '../io.js';
import { synthOptionsFromArgs } from './synth.js';

describe('lvr synth — reasoning tasks', () => {
  it('maps --tasks chase,majority --hops and --legend to suite options, rejecting bad hops', () => {
    expect(synthOptionsFromArgs({ out: 'o', tasks: 'chase,majority', hops: '1,3', legend: true }, '/w')).toEqual({
      outDir: '/w/o', tasks: ['chase', 'majority'], hops: [1, 3], legend: true,
    });
    expect(() => synthOptionsFromArgs({ out: 'o', hops: '5' }, '/w')).toThrow(/--hops/);
  });

  it('writes a chase suite whose test items spread over the asked hops', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lvr-synth-chase-'));
    try {
      const io = memoryIo(dir);
      expect(await runCli(['synth', '--out', 's', '--train', '2', '--test', '4', '--tasks', 'chase', '--hops', '2,3', '--legend'], io)).toBe(0);
      const lines = (await readFile(join(dir, 's', 'test.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((l) => l.hops)).toEqual([2, 3, 2, 3]);
      expect(lines.every((l) => l.question.startsWith('legend : '))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

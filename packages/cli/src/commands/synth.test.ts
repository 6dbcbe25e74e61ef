import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { memoryIo } from '../io.js';
import { SYNTH_TASKS_HELP, synthOptionsFromArgs } from './synth.js';

describe('lvr synth — reasoning tasks', () => {
  it('maps --tasks chase,majority --hops and --legend to suite options, rejecting bad hops and tasks', async () => {
    expect(await synthOptionsFromArgs({ out: 'o', tasks: 'chase,majority', hops: '1,3', legend: true }, '/w')).toEqual({
      outDir: '/w/o', tasks: ['chase', 'majority'], hops: [1, 3], legend: true,
    });
    await expect(synthOptionsFromArgs({ out: 'o', hops: '5' }, '/w')).rejects.toThrow(/--hops/);
    await expect(synthOptionsFromArgs({ out: 'o', tasks: 'chase,nope' }, '/w'))
      .rejects.toThrow(/--tasks expects a comma-separated list of attribute, position/);
  });

  it('--tasks help lists every task family and the defaults of @lvr/data', async () => {
    const { ALL_TASK_KINDS, TASK_KINDS } = await import('@lvr/data');
    expect(SYNTH_TASKS_HELP).toBe(`task families, comma-separated: ${ALL_TASK_KINDS.join(',')} (default ${TASK_KINDS.join(',')})`);
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

import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, getLogLevel } from '@lvr/core';
import { generateSuite } from '@lvr/data';
import { loadBenchmark, makeResult } from '@lvr/eval';
import { COMMANDS, commandUsage, runCli } from './cli.js';
import type { LazyCommand } from './commands/command.js';
import { EVAL_BENCHMARKS_HELP } from './commands/eval.js';
import { synthCommand, synthOptionsFromArgs } from './commands/synth.js';
import { memoryIo } from './io.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runCli: usage and errors', () => {
  it('prints the main usage for --help (exit 0) and on stderr without a command (exit 2)', async () => {
    const io = memoryIo(dir);
    expect(await runCli(['--help'], io)).toBe(0);
    expect(io.out()).toMatch(/^Usage: lvr <command>/);
    expect(io.out()).toContain('synth');
    expect(io.out()).toContain('demo');
    const io2 = memoryIo(dir);
    expect(await runCli([], io2)).toBe(2);
    expect(io2.err()).toContain('Usage: lvr');
    expect(io2.out()).toBe('');
  });

  it('`lvr help` is `lvr --help`; `lvr help CMD` is `lvr CMD --help`; an unknown or extra name exits 2 with the commands', async () => {
    const main = memoryIo(dir);
    expect(await runCli(['--help'], main)).toBe(0);
    const help = memoryIo(dir);
    expect(await runCli(['help'], help)).toBe(0);
    expect(help.out()).toBe(main.out());
    expect(main.out()).toContain("'lvr help <command>'");
    for (const name of ['infer', 'eval', 'synth']) {
      const a = memoryIo(dir);
      const b = memoryIo(dir);
      expect(await runCli(['help', name], a)).toBe(0);
      expect(await runCli([name, '--help'], b)).toBe(0);
      expect(a.out()).toBe(b.out());
      expect(a.out()).toContain(`Usage: lvr ${name}`);
    }
    for (const argv of [['help', 'nope'], ['help', 'infer', 'eval']]) {
      const io = memoryIo(dir);
      expect(await runCli(argv, io), argv.join(' ')).toBe(2);
      expect(io.err()).toMatch(/^lvr help: (unknown command "nope"|expects one command name, got 2)\n/);
      for (const c of COMMANDS) expect(io.err()).toContain(`  ${c.name}`);
      expect(io.out()).toBe('');
    }
  });

  it('lazy commands (demo, ablate) list the summary of the command they load, and load for their help', async () => {
    const lazy = COMMANDS.filter((c): c is LazyCommand => 'load' in c);
    expect(lazy.map((c) => c.name)).toEqual(['demo', 'ablate']);
    for (const entry of lazy) {
      const cmd = await entry.load();
      expect([cmd.name, cmd.summary]).toEqual([entry.name, entry.summary]);
      const io = memoryIo(dir);
      expect(await runCli(['help', entry.name], io)).toBe(0);
      expect(io.out()).toBe(`${commandUsage(cmd)}\n`);
    }
  });

  it('the --benchmark help lists @lvr/eval\'s BENCHMARKS', async () => {
    const { BENCHMARKS } = await import('@lvr/eval');
    expect(EVAL_BENCHMARKS_HELP).toBe(BENCHMARKS.join(' | '));
  });

  it('rejects an unknown command with exit code 2 and the usage', async () => {
    const io = memoryIo(dir);
    expect(await runCli(['frobnicate'], io)).toBe(2);
    expect(io.err()).toContain('unknown command "frobnicate"');
    expect(io.err()).toContain('Usage: lvr <command>');
  });

  it('prints command help, and rejects unknown options, stray arguments and bad values with exit 2', async () => {
    const help = memoryIo(dir);
    expect(await runCli(['synth', '--help'], help)).toBe(0);
    expect(help.out()).toContain('Usage: lvr synth --out DIR');
    expect(help.out()).toContain('--image-size N');
    for (const argv of [['synth', '--bogus'], ['synth', 'extra'], ['synth', '--out', dir, '--seed', 'x'], ['synth'], ['demo', '--seed', '-3']]) {
      const io = memoryIo(dir);
      expect(await runCli(argv, io), argv.join(' ')).toBe(2);
      expect(io.err()).toContain(`lvr ${argv[0]}:`);
      expect(io.err()).toContain('Options:');
    }
  });

  it('a negative number reaches the option\'s range check (exit 2 with the range, not "argument is ambiguous")', async () => {
    for (const [argv, message] of [
      [['synth', '--out', dir, '--train', '-5'], '--train must be in 0..1000000, got -5'],
      [['synth', '--out', dir, '--seed', '-3'], '--seed must be in 0..4294967295, got -3'],
      [['train', '--mode', 'base', '--data', dir, '--out', dir, '--steps', '-5'], '--steps must be in'],
      [['synth', '--out', dir, '--train', '-.5'], '--train expects an integer, got "-.5"'],
    ] as const) {
      const io = memoryIo(dir);
      expect(await runCli(argv, io), argv.join(' ')).toBe(2);
      expect(io.err()).toContain(message);
      expect(io.err()).not.toContain('ambiguous');
    }
  });

  it('an impossible --shard, an unknown --strategy or --sampler is a usage mistake (exit 2)', async () => {
    const evalArgs = ['eval', '--model', 'm', '--benchmark', 'synthetic', '--data', 'd', '--out', 'o.jsonl'];
    const inferArgs = ['infer', '--model', 'm', '--image', 'i.png', '--question', 'q'];
    for (const [argv, message] of [
      [[...evalArgs, '--shard', '3/2'], 'lvr eval: --shard: shard: expected "i/n" with 1 ≤ i ≤ n'],
      [[...evalArgs, '--strategy', 'bogus'], 'lvr eval: --strategy: '],
      [[...inferArgs, '--strategy', 'bogus'], 'lvr infer: --strategy: '],
      [[...inferArgs, '--sampler', 'bogus'], 'lvr infer: --sampler: '],
    ] as const) {
      const io = memoryIo(dir);
      expect(await runCli(argv, io), argv.join(' ')).toBe(2);
      expect(io.err()).toContain(message);
      expect(io.err()).toContain('Options:');
    }
  });

  it('a results file with an item twice fails before any model is opened or item evaluated', async () => {
    const suite = join(dir, 'dup-suite');
    await generateSuite({ outDir: suite, seed: 1, trainCount: 2, testCount: 4 });
    const [a, b] = await loadBenchmark('synthetic', suite);
    const out = join(dir, 'dup.jsonl');
    await writeFile(out, [a!, b!, a!].map((item) => `${JSON.stringify(makeResult(item, '(A)'))}\n`).join(''));
    const io = memoryIo(dir);
    const argv = ['eval', '--model', join(dir, 'no-model'), '--benchmark', 'synthetic', '--data', suite, '--out', out];
    expect(await runCli(argv, io)).toBe(1);
    expect(io.err()).toContain(`lvr eval: error [DATASET_FORMAT]: ${out}: synthetic item ${a!.id} appears twice`);
  });

  it('reports an LvrError on stderr with exit code 1', async () => {
    const foreign = join(dir, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'keep.txt'), 'x');
    const io = memoryIo(dir);
    expect(await runCli(['synth', '--out', foreign, '--train', '2', '--test', '2'], io)).toBe(1);
    expect(io.err()).toMatch(/lvr synth: error \[INVALID_ARGUMENT\]: .*refusing to write/);
    expect(io.out()).toBe('');
    expect(await readdir(foreign)).toEqual(['keep.txt']);
  });

  it('prints the version', async () => {
    const io = memoryIo(dir);
    expect(await runCli(['--version'], io)).toBe(0);
    expect(io.out()).toBe('0.1.0\n');
  });
});

describe('synth', () => {
  it('maps flags to suite options', async () => {
    expect(
      await synthOptionsFromArgs({ out: 'o', seed: '5', train: '10', test: '4', 'image-size': '96', tasks: 'count', distractors: '2', noise: '0' }, '/w'),
    ).toEqual({ outDir: '/w/o', seed: 5, trainCount: 10, testCount: 4, imageSize: 96, tasks: ['count'], distractors: 2, noise: 0 });
    expect(await synthOptionsFromArgs({ out: 'o' }, '/w')).toEqual({ outDir: '/w/o' });
  });

  it('writes a suite into a temp dir through the command function', async () => {
    const io = memoryIo(dir);
    const code = await synthCommand.run({ out: 'suite-a', seed: '2', train: '8', test: '8' }, { io, json: false });
    expect(code).toBe(0);
    expect(io.out()).toContain('wrote the synthetic suite to suite-a (seed 2): 8 train, 8 test items');
    expect((await readdir(join(dir, 'suite-a'))).sort()).toEqual(['images', 'meta.json', 'suite.json', 'test.jsonl', 'tokenizer.json', 'train.json']);
    expect(await readdir(join(dir, 'suite-a', 'images'))).toHaveLength(16);
  });

  it('prints JSON with --json and draws progress on stderr with --progress', async () => {
    const io = memoryIo(dir);
    expect(await runCli(['synth', '--out', 'suite-b', '--train', '4', '--test', '4', '--image-size', '48', '--json', '--progress'], io)).toBe(0);
    const summary = JSON.parse(io.out());
    expect(summary).toMatchObject({ outDir: join(dir, 'suite-b'), seed: 0, train: 4, test: 4 });
    expect(summary.files.train).toBe(join(dir, 'suite-b', 'train.json'));
    expect(io.err()).toContain('synthetic [');
    expect(io.err()).toContain('synthetic: 8 done in');
  });

  it('routes logs to stderr while running and restores the log level afterwards', async () => {
    const before = getLogLevel();
    const io = memoryIo(dir);
    expect(await runCli(['synth', '--out', 'suite-c', '--train', '2', '--test', '2', '--verbose'], io)).toBe(0);
    expect(io.err()).toContain('[info] data:synthetic: wrote synthetic suite');
    expect(getLogLevel()).toBe(before);
    // The CLI's sink is gone: logging now does not reach the finished command's stderr.
    createLogger('test').error('after');
    expect(io.err()).not.toContain('after');
  });
});

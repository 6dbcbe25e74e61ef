import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { createStopStrategy, listStopStrategies, parseStrategySpec, unregisterStopStrategy } from '@lvr/decoding';
import { runCli } from './cli.js';
import { memoryIo } from './io.js';
import { loadRequiredModules } from './require-modules.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/custom-stop-strategy/per-span.mjs', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-require-'));
  // A module outside any package folder: it cannot import @lvr/decoding itself, so it uses the register form.
  await writeFile(join(dir, 'every-step.mjs'), [
    'export let calls = 0;',
    'export default function register({ registerStopStrategy }) {',
    '  calls++;',
    "  registerStopStrategy('req-every-step', () => ({ kind: 'req-every-step', needs: {}, decide: () => 'exit' }));",
    '}',
  ].join('\n'));
  await writeFile(join(dir, 'throws.mjs'), "throw new Error('boom at import');\n");
  await writeFile(join(dir, 'bad-register.mjs'), "export function register() { throw new Error('boom in register'); }\n");
});
afterAll(async () => {
  for (const k of ['req-every-step', 'per-span']) if (listStopStrategies().some((s) => s.kind === k)) unregisterStopStrategy(k);
  await rm(dir, { recursive: true, force: true });
});

function code(e: unknown): string | undefined {
  return isLvrError(e) ? e.code : undefined;
}

describe('--require: modules that register stop strategies', () => {
  it('loads each file (relative to cwd, repeatable, in order) and calls its register function once per process', async () => {
    const added = await loadRequiredModules({ require: ['every-step.mjs', EXAMPLE] }, dir);
    expect(added).toContain('req-every-step'); // (per-span too, unless another test of this file loaded it first)
    expect(listStopStrategies().map((k) => k.kind)).toEqual(expect.arrayContaining(['req-every-step', 'per-span']));
    expect(parseStrategySpec('per-span:4:1:force-end')).toEqual({ kind: 'per-span', first: 4, later: 1, forceEnd: true });
    expect(createStopStrategy({ kind: 'req-every-step' }).kind).toBe('req-every-step');
    // Loading again (a second command in the same process) does not register twice.
    expect(await loadRequiredModules({ require: ['every-step.mjs'] }, dir)).toEqual([]);
    const mod = (await import(join(dir, 'every-step.mjs'))) as { calls: number };
    expect(mod.calls).toBe(1);
    expect(await loadRequiredModules({}, dir)).toEqual([]);
  });

  it('the example strategy gives the first span FIRST steps and later spans LATER; bad values are CONFIG_INVALID', async () => {
    await loadRequiredModules({ require: [EXAMPLE] }, dir);
    const s = createStopStrategy(parseStrategySpec('per-span:3:1'));
    const at = (spanIndex: number, steps: number): string => s.decide({ spanIndex, steps } as never);
    expect([at(0, 2), at(0, 3), at(1, 0), at(1, 1)]).toEqual(['continue', 'exit', 'continue', 'exit']);
    expect(s.maxSteps).toBe(3);
    for (const spec of ['per-span:-1', 'per-span:2:steps=3']) {
      let e: unknown;
      try { parseStrategySpec(spec); } catch (err) { e = err; }
      expect(code(e), spec).toBe('CONFIG_INVALID');
    }
  });

  it('a missing file is IO_ERROR, a module that throws is CONFIG_INVALID, both naming the file', async () => {
    for (const [file, want, message] of [
      ['nope.mjs', 'IO_ERROR', /--require nope\.mjs: no such file/],
      ['throws.mjs', 'CONFIG_INVALID', /--require throws\.mjs: the module failed to load: boom at import/],
      ['bad-register.mjs', 'CONFIG_INVALID', /--require bad-register\.mjs: its register function failed: boom in register/],
    ] as const) {
      let e: unknown;
      try { await loadRequiredModules({ require: [file] }, dir); } catch (err) { e = err; }
      expect(code(e), file).toBe(want);
      expect((e as Error).message).toMatch(message);
    }
  });

  it('on the command line: infer and eval take --require before --strategy; errors exit 1 (file) or 2 (strategy)', async () => {
    // No model is opened: the run stops at the missing model folder, after --require and --strategy were read.
    const infer = ['infer', '--model', 'no-model', '--image', 'x.png', '--question', 'q'];
    const io = memoryIo(dir);
    expect(await runCli([...infer, '--require', EXAMPLE, '--strategy', 'per-span:2:1'], io)).toBe(1);
    expect(io.err()).not.toMatch(/strategy/);
    const unknown = memoryIo(dir);
    expect(await runCli([...infer, '--strategy', 'not-registered:2'], unknown)).toBe(2);
    expect(unknown.err()).toMatch(/lvr infer: --strategy: .*unknown stop strategy kind "not-registered"; known kinds: .*'per-span'/);
    const missing = memoryIo(dir);
    expect(await runCli([...infer, '--require', 'nope.mjs', '--strategy', 'per-span:2'], missing)).toBe(1);
    expect(missing.err()).toContain('lvr infer: error [IO_ERROR]: --require nope.mjs: no such file');
    const bad = memoryIo(dir);
    const evalArgs = ['eval', '--model', 'no-model', '--benchmark', 'synthetic', '--data', 'no-data', '--out', 'o.jsonl'];
    expect(await runCli([...evalArgs, '--require', EXAMPLE, '--strategy', 'per-span:-2'], bad)).toBe(2);
    expect(bad.err()).toContain("lvr eval: --strategy: stop strategy 'per-span': invalid config: first must be an integer ≥ 0, got -2");
    const help = memoryIo(dir);
    expect(await runCli(['infer', '--help'], help)).toBe(0);
    expect(help.out()).toMatch(/--require FILE …\s+ES module loaded before --strategy is read \(repeatable\)/);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from './cli.js';

/**
 * The help path must not load the heavy packages (tfjs, ONNX Runtime, sharp, the tokenizer library, hyparquet, and
 * the workspace packages that import them): `lvr --help` is the first thing a user runs. A Node resolve hook records
 * every module URL the CLI process resolves; the lists below must not match. Timing is not tested here (see
 * bench/cli-help.ts).
 */
const HEAVY = [
  /\/node_modules\/(@tensorflow|onnxruntime-node|onnxruntime-common|sharp|@img|@huggingface|hyparquet|onnx-buf)\//,
  /\/packages\/(model|eval|data|rl)\//,
  /\/node_modules\/@lvr\/(model|eval|data|rl)\//,
];
const heavyIn = (urls: readonly string[]): string[] => urls.filter((u) => HEAVY.some((re) => re.test(u)));

const cliSrc = fileURLToPath(new URL('.', import.meta.url));
let dir: string;
let hook: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-help-imports-'));
  // The hook runs on Node's loader thread and appends each resolved URL to $LVR_IMPORT_LOG.
  await writeFile(join(dir, 'hooks.mjs'), [
    "import { appendFileSync } from 'node:fs';",
    'export async function resolve(specifier, context, next) {',
    '  const r = await next(specifier, context);',
    "  appendFileSync(process.env.LVR_IMPORT_LOG, `${r.url}\\n`);",
    '  return r;',
    '}',
  ].join('\n'));
  hook = join(dir, 'record.mjs');
  const hooks = pathToFileURL(join(dir, 'hooks.mjs')).href;
  await writeFile(hook, `import { register } from 'node:module';\nregister(${JSON.stringify(hooks)});\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs a script of the CLI's source under tsx with the recorder; returns its output and the resolved URLs. */
async function recordImports(
  name: string, script: string, args: readonly string[],
): Promise<{ status: number | null; stdout: string; stderr: string; urls: string[] }> {
  const log = join(dir, `${name}.log`);
  await writeFile(log, '');
  const node = ['--conditions=@lvr/source', '--import', import.meta.resolve('tsx'), '--import', hook];
  const env = { ...process.env, LVR_IMPORT_LOG: log };
  const res = spawnSync(process.execPath, [...node, script, ...args], { encoding: 'utf8', timeout: 60_000, env });
  const urls = (await readFile(log, 'utf8')).split('\n').filter((l) => l !== '');
  return { status: res.status, stdout: res.stdout, stderr: res.stderr, urls };
}

describe('the help path loads no heavy module', () => {
  it('`lvr --help` (src/bin.ts) resolves the CLI\'s modules and nothing heavy', async () => {
    const r = await recordImports('main-help', join(cliSrc, 'bin.ts'), ['--help']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: lvr <command> [options]');
    expect(r.urls.some((u) => u.endsWith('/packages/cli/src/cli.ts'))).toBe(true); // the recorder sees the CLI's modules
    expect(heavyIn(r.urls)).toEqual([]);
  });

  it('`lvr help CMD` and `lvr CMD --help` of every light command load nothing heavy (positive control: @lvr/data)', async () => {
    const light = COMMANDS.filter((c) => !('load' in c)).map((c) => c.name);
    expect(light).toEqual(expect.arrayContaining(['synth', 'train', 'rl', 'eval', 'infer', 'probe', 'report', 'export']));
    // One process runs every help in turn (imports accumulate), then makes the CLI import @lvr/data as a positive control.
    const driver = join(dir, 'driver.mts');
    await writeFile(driver, [
      "import { appendFileSync } from 'node:fs';",
      `import { runCli } from ${JSON.stringify(pathToFileURL(join(cliSrc, 'cli.ts')).href)};`,
      `import { memoryIo } from ${JSON.stringify(pathToFileURL(join(cliSrc, 'io.ts')).href)};`,
      'const codes = [];',
      `for (const name of ${JSON.stringify(light)}) {`,
      '  codes.push(await runCli(["help", name], memoryIo(process.cwd())), await runCli([name, "--help"], memoryIo(process.cwd())));',
      '}',
      "appendFileSync(process.env.LVR_IMPORT_LOG, 'control\\n');",
      `const { synthOptionsFromArgs } = await import(${JSON.stringify(pathToFileURL(join(cliSrc, 'commands', 'synth.ts')).href)});`,
      "await synthOptionsFromArgs({ out: 'x' }, process.cwd()); // imports @lvr/data",
      'process.stdout.write(JSON.stringify(codes));',
    ].join('\n'));
    const r = await recordImports('command-help', driver, []);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(light.flatMap(() => [0, 0]));
    const control = r.urls.indexOf('control');
    expect(control).toBeGreaterThan(0);
    expect(heavyIn(r.urls.slice(0, control))).toEqual([]);
    expect(heavyIn(r.urls.slice(control)).some((u) => u.includes('/packages/data/'))).toBe(true);
  });
});

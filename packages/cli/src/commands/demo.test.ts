import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { memoryIo } from '../io.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-demo-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lvr demo', () => {
  it('writes the suite and a preview PNG and prints a summary with the paths', async () => {
    const io = memoryIo(dir);
    expect(await runCli(['demo', '--out', 'run'], io)).toBe(0);
    expect(io.err()).toContain('[1/2] synth');
    expect(io.err()).toContain('[2/2] preview');
    const out = io.out();
    expect(out).toMatch(/lvr demo finished in [\d.]+ s → run/);
    expect(out).toContain('train 400, test 200');
    expect(out).toContain('preview    run/preview.png');
    const manifest = JSON.parse(await readFile(join(dir, 'run', 'suite', 'suite.json'), 'utf8'));
    expect(manifest.counts.test).toEqual({ attribute: 50, position: 50, count: 50, pair: 50 });
    const png = await readFile(join(dir, 'run', 'preview.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(4 * 64 * 4 + 5 * 6); // IHDR width: 4 columns of 64 px × scale 4, padding 6
  });

  it('--json prints the stages and artifacts', async () => {
    const io = memoryIo(dir);
    expect(await runCli(['demo', '--out', 'run', '--json', '--seed', '1'], io)).toBe(0);
    const res = JSON.parse(io.out());
    expect(res.stages.map((s: { name: string }) => s.name)).toEqual(['synth', 'preview']);
    expect(res.artifacts.preview).toBe(join(dir, 'run', 'preview.png'));
    expect(io.err()).toBe('');
  });
});

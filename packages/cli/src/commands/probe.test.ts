import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { memoryIo } from '../io.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-probe-'));
  expect(await runCli(['synth', '--out', join(dir, 'suite'), '--train', '2', '--test', '2', '-q'], memoryIo(dir))).toBe(0);
  const io = memoryIo(dir);
  const code = await runCli([
    'train', '--mode', 'base', '--data', join(dir, 'suite'), '--out', join(dir, 'base'), '--size', 'tiny',
    '--steps', '2', '--batch', '2', '--grid-prob', '0.5', '--mark-prob', '1', '-q',
  ], io);
  expect(code, io.err()).toBe(0);
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lvr probe', () => {
  it('prints colour / shape / size / marked fractions of held-out cells as JSON', async () => {
    const io = memoryIo(dir);
    expect(await runCli(['probe', '--model', join(dir, 'base'), '--scenes', '6', '--fit-scenes', '10', '--json'], io), io.err()).toBe(0);
    const r = JSON.parse(io.out()) as Record<string, unknown> & { grid: { n: number; nFit: number; size: unknown }; free: { n: number } };
    for (const k of ['colour', 'shape', 'size', 'marked'] as const) {
      expect(r[k], k).toBeGreaterThanOrEqual(0);
      expect(r[k], k).toBeLessThanOrEqual(1);
    }
    expect(r.n).toBe(6 * 16);
    expect(r.grid.nFit).toBe(10 * 16);
    expect(r.grid.size).toBeNull(); // every grid object is large
    expect(r.free.n).toBeGreaterThan(0);
  }, 60_000);

  it('rejects a missing --model and bad train mixing options with exit 2', async () => {
    expect(await runCli(['probe'], memoryIo(dir))).toBe(2);
    const io = memoryIo(dir);
    expect(await runCli(['train', '--mode', 'base', '--data', join(dir, 'suite'), '--out', join(dir, 'x'), '--grid-prob', '2'], io)).toBe(2);
    expect(io.err()).toContain('grid-prob');
  });
});

import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { memoryIo } from '../io.js';

let dir: string;
const scale = process.env.LVR_DEMO_SCALE;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-demo-'));
  process.env.LVR_DEMO_SCALE = '0.01'; // every stage, on tiny data and a few steps
});
afterAll(async () => {
  if (scale === undefined) delete process.env.LVR_DEMO_SCALE;
  else process.env.LVR_DEMO_SCALE = scale;
  await rm(dir, { recursive: true, force: true });
});

describe('lvr demo (scaled down)', () => {
  it('runs every stage and ends with a report listing base, SFT, LVR 4/8/16, LIVR, LVR + RL and the probes with CIs, and PNG charts', async () => {
    const io = memoryIo(dir);
    expect(await runCli(['demo', '--out', 'run', '--json'], io)).toBe(0);
    const res = JSON.parse(io.out()) as { stages: { name: string }[] };
    expect(res.stages.map((s) => s.name)).toEqual(['synth', 'preview', 'pretrain', 'finetune', 'rl', 'eval', 'report']);
    const md = await readFile(join(dir, 'run', 'report.md'), 'utf8');
    for (const row of ['| Base |', '| SFT |', '| LVR (fixed:4) |', '| LVR (fixed:8) |', '| LVR (fixed:16) |', '| LIVR |', '| LVR + RL (fixed:8) |']) expect(md).toContain(row);
    expect(md).toMatch(/\| LVR \| fixed:8 \| zeros \| [\d.]+ \[[\d.]+, [\d.]+\] \|/);
    expect(md).toMatch(/\| LIVR \| - \| bottleneck \|/);
    for (const f of ['accuracy.png', 'probes.png', 'training_ce.png', 'preview.png', 'report.json']) await access(join(dir, 'run', f));
    const json = JSON.parse(await readFile(join(dir, 'run', 'report.json'), 'utf8')) as { rows: { overall: { lo: number; hi: number } }[] };
    for (const r of json.rows) expect(r.overall.lo).toBeLessThanOrEqual(r.overall.hi);
  }, 600_000);
});

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
  it('runs every stage (--pretrain) and ends with a report: chase accuracy vs k + findings, the base probe table, then the perception rows and probes with CIs, and PNG charts', async () => {
    const io = memoryIo(dir);
    expect(await runCli(['demo', '--out', 'run', '--pretrain', '--json'], io)).toBe(0);
    const res = JSON.parse(io.out()) as { stages: { name: string }[] };
    expect(res.stages.map((s) => s.name)).toEqual(['synth', 'preview', 'pretrain', 'probe', 'chase', 'finetune', 'eval', 'report']);
    const md = await readFile(join(dir, 'run', 'report.md'), 'utf8');
    expect(md).toContain('![Chase accuracy against the number of hops k, one line per arm](accuracy-vs-k.png)');
    // each k: every arm with its CI, or one line when all arms score the same (likely at this tiny size)
    expect(md).toMatch(/- k = 3: (SFT [\d.]+ % \[[\d.]+, [\d.]+\]; Pause-K .*LVR pointer, argmax fed back [\d.]+ %|every arm \(5\) scores [\d.]+ %)/);
    expect(md).toMatch(/Pre-stated comparison at k = 3: LVR pointer, argmax fed back − SFT = [-+][\d.]+ points/);
    for (const arm of ['| SFT |', '| Pause-K |', '| LIVR K=16 |', '| LVR reference (MSE, hidden fed back) |', '| LVR pointer, argmax fed back |']) expect(md).toContain(arm);
    expect(md).toMatch(/\| grid \(one object per 16-px cell, as in chase\) \| [\d.]+ \| [\d.]+ \|/);
    expect(md).toMatch(/Gate G1 .*: (passed|not passed)/);
    for (const row of ['| Base |', '| SFT |', '| LVR (fixed:4) |', '| LVR (fixed:8) |', '| LVR (fixed:16) |', '| LIVR |']) expect(md).toContain(row);
    expect(md).toMatch(/\| LVR \| fixed:8 \| zeros \| [\d.]+ \[[\d.]+, [\d.]+\] \|/);
    expect(md).toMatch(/\| LIVR \| - \| bottleneck \|/);
    for (const f of ['accuracy-vs-k.png', 'accuracy.png', 'probes.png', 'training_ce.png', 'preview.png', 'report.json', 'probe.json', 'chase/chase.json']) await access(join(dir, 'run', f));
    const json = JSON.parse(await readFile(join(dir, 'run', 'report.json'), 'utf8')) as { rows: { overall: { lo: number; hi: number } }[]; chase: { k: number[] }; probe: { colour: number } };
    for (const r of json.rows) expect(r.overall.lo).toBeLessThanOrEqual(r.overall.hi);
    expect(json.chase.k).toEqual([1, 3]);
    expect(json.probe.colour).toBeGreaterThanOrEqual(0);
  }, 600_000);

  it('rejects --base together with --pretrain, and a base folder without a model (clear error)', async () => {
    const io = memoryIo(dir);
    expect(await runCli(['demo', '--out', 'bad', '--pretrain', '--base', 'x'], io)).not.toBe(0);
    expect(io.err()).toMatch(/--base and --pretrain exclude each other/);
    const io2 = memoryIo(dir);
    expect(await runCli(['demo', '--out', 'bad2', '--base', 'no-such-base'], io2)).not.toBe(0);
    expect(io2.err()).toMatch(/no-such-base has no config\.json/);
  });
});

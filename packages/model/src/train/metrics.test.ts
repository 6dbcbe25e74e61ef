import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { METRIC_NAMES, MetricsWriter, readMetrics } from './metrics.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lvr-metrics-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('metrics.jsonl', () => {
  it('documents the names the issue requires', () => {
    for (const k of ['loss/ce', 'loss/lvr', 'lr', 'grad_norm', 'tokens_per_s']) expect(METRIC_NAMES).toHaveProperty([k]);
  });

  it('appends one JSON line per record; non-finite values round-trip as NaN', async () => {
    const p = join(root, 'a.jsonl');
    const w = await MetricsWriter.open(p);
    await w.append({ step: 1, loss: 2.5, lr: 0.001 });
    await w.append({ step: 2, loss: Number.NaN, lr: 0.002 });
    expect(await readFile(p, 'utf8')).toBe('{"step":1,"loss":2.5,"lr":0.001}\n{"step":2,"loss":null,"lr":0.002}\n');
    const back = await readMetrics(p);
    expect(back[0]).toEqual({ step: 1, loss: 2.5, lr: 0.001 });
    expect(Number.isNaN(back[1]?.loss)).toBe(true);
  });

  it('truncates steps after the resume point and starts fresh otherwise', async () => {
    const p = join(root, 'b.jsonl');
    await writeFile(p, [1, 2, 3, 4].map((s) => JSON.stringify({ step: s, loss: s })).join('\n'));
    await MetricsWriter.open(p, { truncateAfterStep: 2 });
    expect((await readMetrics(p)).map((r) => r.step)).toEqual([1, 2]);
    await MetricsWriter.open(p);
    expect(await readMetrics(p)).toEqual([]);
  });

  it('drops a torn last line but reports other malformed lines with file and line', async () => {
    const p = join(root, 'c.jsonl');
    await writeFile(p, '{"step":1,"loss":1}\n{"step":2,"lo');
    expect(await readMetrics(p)).toEqual([{ step: 1, loss: 1 }]);
    await writeFile(p, '{"step":1}\nnot json\n{"step":3}\n');
    await expect(readMetrics(p)).rejects.toThrow(/c\.jsonl:2: not valid JSON/);
    await writeFile(p, '{"loss":1}\n');
    try {
      await readMetrics(p);
      expect.unreachable();
    } catch (e) {
      expect(isLvrError(e) && e.code).toBe('IO_ERROR');
      expect((e as Error).message).toMatch(/c\.jsonl:1: expected an object with a numeric "step"/);
    }
    expect(await readMetrics(join(root, 'missing.jsonl'))).toEqual([]);
  });
});

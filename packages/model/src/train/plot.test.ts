import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lossCurveSvg, writeLossCurvePng } from './plot.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lvr-plot-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loss curve', () => {
  const records = Array.from({ length: 30 }, (_, i) => ({ step: i + 1, loss: 3 / (i + 1), 'loss/ce': 2 / (i + 1), lr: 0.001, ...(i % 10 === 9 ? { 'eval/loss': 2.5 / (i + 1), 'eval/acc': 0.5 } : {}) }));

  it('plots loss, its components and eval losses, not other metrics', () => {
    const svg = lossCurveSvg(records);
    const legend = [...svg.matchAll(/class="legend"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(legend).toEqual(['loss', 'eval/loss', 'loss/ce']);
    expect(svg).toContain('stroke-opacity="0.25"'); // > 20 steps → smoothed
  });

  it('writes loss_curve.png from metrics.jsonl', async () => {
    const m = join(root, 'metrics.jsonl');
    await writeFile(m, records.map((r) => JSON.stringify(r)).join('\n'));
    const out = join(root, 'loss_curve.png');
    await writeLossCurvePng(m, out, { title: 'run' });
    const meta = await sharp(await readFile(out)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 800, 480]);
  });
});

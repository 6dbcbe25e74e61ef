import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineChartSvg } from '@lvr/core';
import { lossCurveSvg, svgToPng, writeLossCurvePng } from './plot.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lvr-plot-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Number of dark pixels (text, lines) in a region of a rendered PNG. */
async function darkPixels(png: Uint8Array, region: { left: number; top: number; width: number; height: number }): Promise<number> {
  const { data, info } = await sharp(png).extract(region).greyscale().raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let i = 0; i < info.width * info.height; i++) if ((data[i] as number) < 128) n++;
  return n;
}

describe('loss curve', () => {
  const records = Array.from({ length: 30 }, (_, i) => ({ step: i + 1, loss: 3 / (i + 1), 'loss/ce': 2 / (i + 1), lr: 0.001, ...(i % 10 === 9 ? { 'eval/loss': 2.5 / (i + 1), 'eval/acc': 0.5 } : {}) }));

  it('plots loss, its components and eval losses, not other metrics', () => {
    const svg = lossCurveSvg(records);
    const legend = [...svg.matchAll(/class="legend"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(legend).toEqual(['loss', 'eval/loss', 'loss/ce']);
    expect(svg).toContain('stroke-opacity="0.25"'); // > 20 steps → smoothed
  });

  it('renders PNGs whose text is actually drawn (a font is available to librsvg)', async () => {
    const withText = await svgToPng(lineChartSvg({ title: 'TITLE TEXT HERE', series: [], width: 400, height: 300 }));
    const without = await svgToPng(lineChartSvg({ series: [], width: 400, height: 300 }));
    const meta = await sharp(withText).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 400, 300]);
    const titleBox = { left: 100, top: 5, width: 200, height: 25 };
    expect(await darkPixels(without, titleBox)).toBe(0);
    expect(await darkPixels(withText, titleBox)).toBeGreaterThan(100);
  });

  it('writes loss_curve.png from metrics.jsonl', async () => {
    const m = join(root, 'metrics.jsonl');
    await writeFile(m, records.map((r) => JSON.stringify(r)).join('\n'));
    const out = join(root, 'loss_curve.png');
    await writeLossCurvePng(m, out, { title: 'run' });
    const meta = await sharp(await readFile(out)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 800, 480]);
  });

  it('reports an unrenderable SVG as IMAGE_INVALID', async () => {
    await expect(svgToPng('<svg xmlns="http://www.w3.org/2000/svg"><text a="1" a="2"/></svg>')).rejects.toThrow(/could not rasterise SVG/);
  });
});

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { barChartSvg, lineChartSvg } from './svg-chart.js';
import { svgToPng } from './svg-png.js';

/** Number of dark pixels (text, lines) in a region of a rendered PNG. */
async function darkPixels(png: Uint8Array, region: { left: number; top: number; width: number; height: number }): Promise<number> {
  const { data, info } = await sharp(png).extract(region).greyscale().raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let i = 0; i < info.width * info.height; i++) if ((data[i] as number) < 128) n++;
  return n;
}

describe('svgToPng', () => {
  it('renders a chart at its declared size, with its text actually drawn (a font is available to librsvg)', async () => {
    const withText = await svgToPng(lineChartSvg({ title: 'TITLE TEXT HERE', series: [], width: 400, height: 300 }));
    const without = await svgToPng(lineChartSvg({ series: [], width: 400, height: 300 }));
    const meta = await sharp(withText).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 400, 300]);
    const titleBox = { left: 100, top: 5, width: 200, height: 25 };
    expect(await darkPixels(without, titleBox)).toBe(0);
    expect(await darkPixels(withText, titleBox)).toBeGreaterThan(100);
    const bars = await svgToPng(barChartSvg({ groups: ['a', 'b'], series: [{ name: 's', values: [0.2, 0.8] }], width: 320, height: 200 }));
    expect((await sharp(bars).metadata()).width).toBe(320);
  });

  it('reports an unrenderable SVG as IMAGE_INVALID', async () => {
    await expect(svgToPng('<svg xmlns="http://www.w3.org/2000/svg"><text a="1" a="2"/></svg>')).rejects.toMatchObject({
      code: 'IMAGE_INVALID',
      message: expect.stringMatching(/^could not rasterise SVG: /),
    });
  });

  it('refuses an SVG that declares more than the 40 Mpx decode limit instead of allocating it', async () => {
    const t0 = performance.now();
    await expect(svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="16000" height="16000"/>')).rejects.toMatchObject({
      code: 'IMAGE_INVALID',
      message: expect.stringMatching(/pixel limit/),
    });
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

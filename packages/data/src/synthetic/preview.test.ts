import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodePng } from './png.js';
import { renderPreview } from './preview.js';
import { Rng } from '@lvr/core';
import { renderScene } from './render.js';
import { drawChase } from './tasks/chase.js';

function flat(width: number, height: number, v: number) {
  return { width, height, data: new Uint8Array(width * height * 3).fill(v) };
}

async function decode(png: Uint8Array) {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, px: (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)] };
}

describe('renderPreview', () => {
  it('lays images out in a grid, upscaled, with the ROI drawn just outside the box', async () => {
    const items = [
      { image: flat(8, 8, 0), roi: [0.25, 0.25, 0.5, 0.75] as const },
      { image: flat(8, 8, 100), roi: [0, 0, 1, 1] as const },
      { image: flat(8, 8, 200), roi: [0.5, 0.5, 0.625, 0.625] as const },
    ];
    const png = await renderPreview(items, { scale: 4, columns: 2, padding: 2, labels: false });
    const img = await decode(png);
    expect([img.width, img.height]).toEqual([2 * 32 + 3 * 2, 2 * 32 + 3 * 2]);
    // Item 0 at (2, 2): box pixels 8..15 × 8..23 (scaled), border 2 px outside: x 6..7 and 16..17.
    expect(img.px(2 + 7, 2 + 12)).toEqual([255, 0, 255]);
    expect(img.px(2 + 6, 2 + 12)).toEqual([255, 0, 255]);
    expect(img.px(2 + 8, 2 + 12)).toEqual([0, 0, 0]); // inside the box: untouched
    expect(img.px(2 + 16, 2 + 12)).toEqual([255, 0, 255]);
    expect(img.px(2 + 18, 2 + 12)).toEqual([0, 0, 0]);
    expect(img.px(2 + 12, 2 + 7)).toEqual([255, 0, 255]);
    expect(img.px(2 + 12, 2 + 24)).toEqual([255, 0, 255]);
    // Item 1: the full-image box is clipped to the image, so the image is untouched.
    expect(img.px(2 + 32 + 2, 2)).toEqual([100, 100, 100]);
    // Item 2 on the second row.
    expect(img.px(2 + 17, 2 + 32 + 2 + 17)).toEqual([200, 200, 200]);
    expect(img.px(2 + 15, 2 + 32 + 2 + 17)).toEqual([255, 0, 255]);
  });

  it('loads images from files and adds label rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lvr-preview-'));
    try {
      const file = join(dir, 'x.png');
      await writeFile(file, await encodePng(flat(8, 8, 50)));
      const png = await renderPreview([{ image: file, roi: [0, 0, 0.5, 0.5], label: 'what colour is the small circle ?\nred (A)' }], { scale: 4 });
      const img = await decode(png);
      expect(img.width).toBe(32 + 12);
      expect(img.height).toBeGreaterThan(32 + 12 + 14); // at least two text rows
      expect(img.px(6 + 20, 6 + 20)).toEqual([50, 50, 50]);
      await expect(renderPreview([{ image: join(dir, 'missing.png'), roi: [0, 0, 1, 1] }])).rejects.toMatchObject({
        code: 'IMAGE_INVALID',
        message: expect.stringContaining('missing.png'),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('draws a chase item\'s ordered hop boxes (not their union), numbered when labels are on', async () => {
    const item = drawChase(new Rng(4), { hops: 3 });
    const image = renderScene(item.scene, { noise: 0 });
    const png = await renderPreview([{ image, roi: [0, 0, 1, 1], rois: item.rois }], { scale: 4, padding: 0, labels: false });
    const img = await decode(png);
    const onFrame = (cell: number): boolean => {
      const [x0, y0] = [(cell % 4) * 64, Math.floor(cell / 4) * 64];
      // The frame sits 2 px outside the box: probe its right side (its left side in the last column), which no
      // neighbouring cell's frame touches.
      const x = cell % 4 < 3 ? x0 + 64 : x0 - 1;
      return img.px(x, y0 + 32).join() === '255,0,255';
    };
    for (let c = 0; c < 16; c++) expect(onFrame(c), `cell ${c}`).toBe(item.chain.includes(c));
    const labelled = await renderPreview([{ image, roi: [0, 0, 1, 1], rois: item.rois }], { scale: 4, padding: 0 });
    expect(Buffer.compare(Buffer.from(labelled), Buffer.from(png))).not.toBe(0);
  });

  it('rejects bad arguments', async () => {
    await expect(renderPreview([])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(renderPreview([{ image: flat(2, 2, 0), roi: [0, 0, 1, 1] }], { scale: 0 })).rejects.toThrow(/scale/);
  });
});

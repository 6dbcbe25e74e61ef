import { describe, expect, it } from 'vitest';
import type { RgbImage } from '@lvr/data';
import { runVisualProbe, type VisualTokenEncoder } from './visual-probe.js';

const CELLS = 4;

/** Mean RGB of each cell of a 4×4 grid (raster order), scaled to [0, 1]: content only, no position. */
function cellMeans(img: RgbImage): Float32Array {
  const out = new Float32Array(CELLS * CELLS * 3);
  const cw = img.width / CELLS;
  const ch = img.height / CELLS;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const c = Math.floor(y / ch) * CELLS + Math.floor(x / cw);
      for (let k = 0; k < 3; k++) out[c * 3 + k]! += img.data[(y * img.width + x) * 3 + k]! / 255 / (cw * ch);
    }
  }
  return out;
}

const contentOnly: VisualTokenEncoder = {
  dim: 3,
  encode: (images) => {
    const out = new Float32Array(images.length * CELLS * CELLS * 3);
    images.forEach((img, i) => out.set(cellMeans(img), i * CELLS * CELLS * 3));
    return out;
  },
};

/** Content plus a one-hot of the token's own cell: position is in the token. */
const withPosition: VisualTokenEncoder = {
  dim: 3 + CELLS * CELLS,
  encode: (images) => {
    const d = 3 + CELLS * CELLS;
    const out = new Float32Array(images.length * CELLS * CELLS * d);
    images.forEach((img, i) => {
      const m = cellMeans(img);
      for (let c = 0; c < CELLS * CELLS; c++) {
        const row = (i * CELLS * CELLS + c) * d;
        out.set(m.subarray(c * 3, c * 3 + 3), row);
        out[row + 3 + c] = 1;
      }
    });
    return out;
  },
};

describe('runVisualProbe: the cell (position) probe', () => {
  const opts = { fitScenes: 40, testScenes: 20, free: false } as const;

  it('reads the cell back when the token carries its position', async () => {
    const r = await runVisualProbe(withPosition, opts);
    expect(r.grid.cell).toBeGreaterThan(0.95);
  });

  it('stays near chance (1/16) when the token carries only its cell\'s content', async () => {
    const r = await runVisualProbe(contentOnly, opts);
    expect(r.grid.cell).not.toBeNull();
    expect(r.grid.cell!).toBeLessThan(0.25);
    expect(r.grid.n).toBe(20 * 16);
  });
});

import { describe, expect, it } from 'vitest';
import { Rng, isLvrError } from '@lvr/core';
import { normalizeToChw } from './normalize.js';
import { patchify, patchifyRgb } from './patchify.js';

interface Dims { P: number; M: number; T: number; H: number; W: number }

/**
 * Value patchify must put at (row, col), computed straight from the documented permutation
 * (gridT, H/(MP), W/(MP), M, M, C, T, P, P) of the view (gridT, T, C, H/(MP), M, P, W/(MP), M, P).
 */
function naive(chw: Float32Array, d: Dims, row: number, col: number): number {
  const { P, M, T, H, W } = d;
  const blocksW = W / (M * P);
  const px = col % P;
  const py = Math.floor(col / P) % P;
  const c = Math.floor(col / (P * P * T)); // t = floor(col / (P·P)) % T picks a copy of the same frame
  const mx = row % M;
  const my = Math.floor(row / M) % M;
  const block = Math.floor(row / (M * M));
  const bx = block % blocksW;
  const by = Math.floor(block / blocksW);
  const y = (by * M + my) * P + py;
  const x = (bx * M + mx) * P + px;
  return chw[c * H * W + y * W + x] as number;
}

function randomChw(d: Dims, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: 3 * d.H * d.W }, () => rng.uniform(-2, 2));
}

describe('patchify', () => {
  it.each<Dims>([
    { P: 14, M: 2, T: 2, H: 56, W: 84 },
    { P: 8, M: 2, T: 2, H: 64, W: 48 },
    { P: 4, M: 3, T: 3, H: 24, W: 36 },
    { P: 2, M: 1, T: 1, H: 6, W: 4 },
  ])('matches the naive index computation for every value (%j)', (d) => {
    const chw = randomChw(d, d.P * 100 + d.H);
    const out = patchify(chw, d.H, d.W, { patchSize: d.P, mergeSize: d.M, temporalPatchSize: d.T });
    const rowWidth = 3 * d.T * d.P * d.P;
    const rows = (d.H / d.P) * (d.W / d.P);
    expect(out.length).toBe(rows * rowWidth);
    for (let r = 0; r < rows; r++) {
      for (let col = 0; col < rowWidth; col++) {
        if (out[r * rowWidth + col] !== naive(chw, d, r, col)) {
          throw new Error(`row ${r} col ${col}: ${out[r * rowWidth + col]} vs ${naive(chw, d, r, col)}`);
        }
      }
    }
  });

  it('checks a few hand-picked rows of the Qwen layout (P 14, M 2, 56×84)', () => {
    const d = { P: 14, M: 2, T: 2, H: 56, W: 84 };
    const chw = randomChw(d, 3);
    const out = patchify(chw, d.H, d.W);
    const at = (c: number, y: number, x: number): number => chw[c * 56 * 84 + y * 84 + x] as number;
    // Row 0 = top-left patch; value 0 = channel R, frame 0, pixel (0,0); value 196 = frame 1 copy of it.
    expect(out[0]).toBe(at(0, 0, 0));
    expect(out[196]).toBe(at(0, 0, 0));
    expect(out[392 + 15]).toBe(at(1, 1, 1)); // G channel starts at 2·196; (py 1, px 1)
    // Row 1 = patch to the right inside the first 2×2 block; row 2 = patch below the first one.
    expect(out[1176 + 0]).toBe(at(0, 0, 14));
    expect(out[2 * 1176 + 0]).toBe(at(0, 14, 0));
    // Row 4 starts the second merge block (block column 1 → x 28).
    expect(out[4 * 1176 + 0]).toBe(at(0, 0, 28));
    // Row 12 starts block row 1 (3 blocks per block row): y 28.
    expect(out[12 * 1176 + 5 * 14 + 3]).toBe(at(0, 28 + 5, 3));
  });

  it('keeps the 4 patches of each 2×2 merge block consecutive, blocks in raster order', () => {
    // Mark every pixel with its merge-block id (block row·blocksW + block col); 112×84 → 4×3 blocks.
    const H = 112;
    const W = 84;
    const chw = new Float32Array(3 * H * W);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) chw[c * H * W + y * W + x] = Math.floor(y / 28) * 3 + Math.floor(x / 28);
    }
    const out = patchify(chw, H, W);
    for (let r = 0; r < (H / 14) * (W / 14); r++) {
      const row = out.subarray(r * 1176, (r + 1) * 1176);
      expect(row.every((v) => v === Math.floor(r / 4))).toBe(true);
    }
  });

  it('duplicates the still image into every temporal frame', () => {
    const d = { P: 8, M: 2, T: 3, H: 16, W: 16 };
    const out = patchify(randomChw(d, 9), 16, 16, { patchSize: 8, temporalPatchSize: 3 });
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 3; c++) {
        const base = r * 576 + c * 192;
        const f0 = Array.from(out.subarray(base, base + 64));
        expect(Array.from(out.subarray(base + 64, base + 128))).toEqual(f0);
        expect(Array.from(out.subarray(base + 128, base + 192))).toEqual(f0);
      }
    }
  });

  it('rejects sizes that are not multiples of patchSize·mergeSize and wrong lengths', () => {
    const codeOf = (fn: () => unknown): string | false => {
      try {
        fn();
        return false;
      } catch (e) {
        return isLvrError(e) && e.code;
      }
    };
    expect(codeOf(() => patchify(new Float32Array(3 * 28 * 42), 28, 42))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => patchify(new Float32Array(10), 28, 28))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => patchify(new Float32Array(0), 0, 28))).toBe('INVALID_ARGUMENT');
    expect(() => patchify(new Float32Array(3 * 28 * 42), 28, 42)).toThrow(/28×42 \(H×W\) is not a multiple of patchSize·mergeSize = 28/);
  });
});

describe('patchifyRgb', () => {
  it.each<Dims>([
    { P: 14, M: 2, T: 2, H: 56, W: 84 },
    { P: 4, M: 3, T: 3, H: 24, W: 36 },
    { P: 2, M: 1, T: 1, H: 6, W: 4 },
  ])('equals patchify(normalizeToChw(img)) bit for bit (%j)', (d) => {
    const rng = new Rng(d.W);
    const img = { width: d.W, height: d.H, data: Uint8Array.from({ length: d.W * d.H * 3 }, () => rng.int(256)) };
    const opts = { patchSize: d.P, mergeSize: d.M, temporalPatchSize: d.T, mean: [0.1, 0.2, 0.3], std: [0.5, 0.6, 0.7] };
    expect(patchifyRgb(img, opts)).toEqual(patchify(normalizeToChw(img, opts), d.H, d.W, opts));
  });

  it('rejects off-grid and malformed images', () => {
    expect(() => patchifyRgb({ width: 30, height: 28, data: new Uint8Array(30 * 28 * 3) })).toThrow(/patchifyRgb: 28×30 \(H×W\) is not a multiple/);
    expect(() => patchifyRgb({ width: 28, height: 28, data: new Uint8Array(5) })).toThrow(/5 bytes/);
  });
});

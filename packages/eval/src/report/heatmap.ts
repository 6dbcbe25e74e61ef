import { LvrError } from '@lvr/core';
import { loadSharp, type NormalizedBox } from '@lvr/data';

/** Cosine similarity of a vector with each row of a (n × d) matrix. */
export function cosineToRows(v: Float32Array, rows: Float32Array, d: number): Float32Array {
  const n = rows.length / d;
  const out = new Float32Array(n);
  let nv = 0;
  for (let j = 0; j < d; j++) nv += (v[j] as number) ** 2;
  for (let i = 0; i < n; i++) {
    let dot = 0, nr = 0;
    for (let j = 0; j < d; j++) {
      const r = rows[i * d + j] as number;
      dot += (v[j] as number) * r;
      nr += r * r;
    }
    out[i] = dot / (Math.sqrt(nv * nr) + 1e-12);
  }
  return out;
}

function colour(t: number): [number, number, number] {
  // dark blue → yellow (viridis-like, 3 stops)
  const x = Math.min(1, Math.max(0, t));
  const stops: [number, number, number][] = [[68, 1, 84], [33, 145, 140], [253, 231, 37]];
  const s = x < 0.5 ? 0 : 1;
  const f = x < 0.5 ? x / 0.5 : (x - 0.5) / 0.5;
  const a = stops[s]!, b = stops[s + 1]!;
  return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f)) as [number, number, number];
}

/**
 * A picture for the report: the image (upscaled) with the ROI box, next to a heatmap of how a fed latent matches
 * each visual token (cosine on the merged grid, min–max scaled per image), with the ROI box drawn on both.
 *
 * @example
 * const png = await latentHeatmapPng({ image: rgb, roi, similarity: cosineToRows(latent, tokens, D), grid: { h: 4, w: 4 } });
 */
export async function latentHeatmapPng(o: {
  image: { width: number; height: number; data: Uint8Array };
  roi?: NormalizedBox | undefined;
  /** (grid.h × grid.w) similarity per merged visual token, row-major. */
  similarity: Float32Array;
  grid: { h: number; w: number };
  scale?: number;
}): Promise<Uint8Array> {
  const { image, grid } = o;
  if (o.similarity.length !== grid.h * grid.w) throw new LvrError('SHAPE_MISMATCH', `heatmap: ${o.similarity.length} similarities for a ${grid.h}×${grid.w} grid`);
  const scale = o.scale ?? 4;
  const W = image.width * scale, H = image.height * scale;
  const sharp = await loadSharp();
  const left = await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } }).resize(W, H, { kernel: 'nearest' }).png().toBuffer();
  let lo = Infinity, hi = -Infinity;
  for (const s of o.similarity) { lo = Math.min(lo, s); hi = Math.max(hi, s); }
  const cells = Buffer.alloc(grid.h * grid.w * 3);
  o.similarity.forEach((s, i) => { const c = colour(hi > lo ? (s - lo) / (hi - lo) : 0.5); cells.set(c, i * 3); });
  const right = await sharp(cells, { raw: { width: grid.w, height: grid.h, channels: 3 } }).resize(W, H, { kernel: 'nearest' }).png().toBuffer();
  const box = o.roi
    ? `<rect x="${o.roi[0] * W}" y="${o.roi[1] * H}" width="${(o.roi[2] - o.roi[0]) * W}" height="${(o.roi[3] - o.roi[1]) * H}" fill="none" stroke="#ff2bd6" stroke-width="3"/>`
    : '';
  const overlay = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${box}</svg>`);
  const gap = 12;
  const out = await sharp({ create: { width: 2 * W + gap, height: H, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite([
      { input: left, left: 0, top: 0 }, { input: overlay, left: 0, top: 0 },
      { input: right, left: W + gap, top: 0 }, { input: overlay, left: W + gap, top: 0 },
    ])
    .png()
    .toBuffer();
  return new Uint8Array(out);
}

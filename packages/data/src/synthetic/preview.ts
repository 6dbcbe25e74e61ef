import { LvrError } from '@lvr/core';
import { loadImage } from '../image/load-image.js';
import type { RgbImage } from '../image/rgb-image.js';
import { loadSharp } from '../image/sharp.js';
import type { NormalizedBox } from '../roi/box.js';

/** One cell of a preview contact sheet. */
export interface PreviewItem {
  /** The image, or the path of a PNG/JPEG file to load. */
  readonly image: RgbImage | string;
  /** The ROI box to draw (normalised `[x0, y0, x1, y1]`). */
  readonly roi: NormalizedBox;
  /**
   * Ordered ROI boxes (a chase item's hop cells): drawn instead of `roi`, in order, each numbered 1, 2, … at
   * its top-left corner when labels are on.
   */
  readonly rois?: readonly NormalizedBox[] | undefined;
  /** Text under the image; `"\n"` separates lines, long lines wrap at spaces to fit the cell. */
  readonly label?: string | undefined;
}

/** Knobs of {@link renderPreview}. */
export interface PreviewOptions {
  /** Nearest-neighbour upscaling factor. Default 4. */
  scale?: number;
  /** Cells per row. Default min(number of items, 6). */
  columns?: number;
  /** Pixels between cells and around the sheet. Default 6. */
  padding?: number;
  /** RGB of the ROI rectangle. Default magenta `[255, 0, 255]` (not a colour of the suite). */
  boxColour?: readonly [number, number, number];
  /** Draw the labels (SVG text rendered by sharp/librsvg; needs a system font). Default true. */
  labels?: boolean;
}

const BACKGROUND = [48, 48, 52] as const;
const FONT_PX = 11;
const LINE_PX = 14;

async function loadItemImage(image: RgbImage | string, index: number): Promise<RgbImage> {
  if (typeof image !== 'string') return image;
  try {
    return await loadImage(image); // the decode limits and memory budget of every image decode
  } catch (cause) {
    throw new LvrError('IMAGE_INVALID', `preview: cannot read image ${image} (item ${index})`, { cause, details: { file: image, index } });
  }
}

/** Splits a label into lines (at `"\n"`, then greedily at spaces) of at most `maxChars` characters. */
function wrapLabel(label: string, maxChars: number): string[] {
  const out: string[] = [];
  for (const para of label.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      const w = word.length > maxChars ? `${word.slice(0, maxChars - 1)}…` : word;
      if (line.length > 0 && line.length + 1 + w.length > maxChars) {
        out.push(line);
        line = w;
      } else line = line.length > 0 ? `${line} ${w}` : w;
    }
    out.push(line);
  }
  return out;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Renders a contact sheet of images, each upscaled (nearest neighbour) with its ROI box drawn as a
 * rectangle just outside the box, and optional text labels underneath, as PNG bytes. Used by the demo to
 * check visually that every box sits on the right object.
 *
 * @example
 * const png = await renderPreview(test.slice(0, 8).map((ex) => ({ image: join(dir, ex.image), roi: ex.roi, label: ex.question })));
 * await writeFile('preview.png', png);
 */
export async function renderPreview(items: readonly PreviewItem[], opts: PreviewOptions = {}): Promise<Uint8Array> {
  if (items.length === 0) throw new LvrError('INVALID_ARGUMENT', 'preview: no items to draw');
  const scale = opts.scale ?? 4;
  const padding = opts.padding ?? 6;
  const columns = opts.columns ?? Math.min(items.length, 6);
  for (const [name, v, min] of [['scale', scale, 1], ['columns', columns, 1], ['padding', padding, 0]] as const) {
    if (!Number.isInteger(v) || v < min || v > 64) {
      throw new LvrError('INVALID_ARGUMENT', `preview: ${name} must be an integer in ${min}..64, got ${v}`, { details: { field: name } });
    }
  }
  const [br, bg, bb] = opts.boxColour ?? [255, 0, 255];
  const images = await Promise.all(items.map((it, i) => loadItemImage(it.image, i)));
  const labels = opts.labels ?? true;
  const cellW = Math.max(...images.map((im) => im.width)) * scale;
  const maxChars = Math.max(4, Math.floor(cellW / (FONT_PX * 0.6)));
  const wrapped = items.map((it) => (labels && it.label ? wrapLabel(it.label, maxChars) : []));
  const lines = Math.max(0, ...wrapped.map((w) => w.length));
  const cellH = Math.max(...images.map((im) => im.height)) * scale + lines * LINE_PX;
  const rows = Math.ceil(items.length / columns);
  const W = columns * cellW + (columns + 1) * padding;
  const H = rows * cellH + (rows + 1) * padding;
  const canvas = new Uint8Array(W * H * 3); // (H, W, 3)
  for (let i = 0; i < W * H; i++) canvas.set(BACKGROUND, i * 3);
  const put = (x: number, y: number, r: number, g: number, b: number): void => {
    if (x < 0 || y < 0 || x >= W || y >= H) return;
    const k = (y * W + x) * 3;
    canvas[k] = r;
    canvas[k + 1] = g;
    canvas[k + 2] = b;
  };
  const svgText: string[] = [];
  const thick = Math.max(1, Math.floor(scale / 2));
  images.forEach((im, i) => {
    const ox = padding + (i % columns) * (cellW + padding);
    const oy = padding + Math.floor(i / columns) * (cellH + padding);
    for (let y = 0; y < im.height * scale; y++) {
      for (let x = 0; x < im.width * scale; x++) {
        const k = (Math.floor(y / scale) * im.width + Math.floor(x / scale)) * 3;
        put(ox + x, oy + y, im.data[k]!, im.data[k + 1]!, im.data[k + 2]!);
      }
    }
    // ROI rectangles: `thick` pixels just outside each box, clipped to the image area; ordered boxes numbered.
    const inImage = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < im.width * scale && y < im.height * scale;
    const ordered = items[i]!.rois;
    const seen = new Map<string, number>();
    (ordered ?? [items[i]!.roi]).forEach(([x0, y0, x1, y1], t) => {
      const bx0 = Math.round(x0 * im.width * scale) - thick;
      const by0 = Math.round(y0 * im.height * scale) - thick;
      const bx1 = Math.round(x1 * im.width * scale) + thick - 1;
      const by1 = Math.round(y1 * im.height * scale) + thick - 1;
      for (let y = by0; y <= by1; y++) {
        for (let x = bx0; x <= bx1; x++) {
          const edge = x < bx0 + thick || x > bx1 - thick || y < by0 + thick || y > by1 - thick;
          if (edge && inImage(x, y)) put(ox + x, oy + y, br, bg, bb);
        }
      }
      if (ordered !== undefined && labels) {
        const key = `${bx0},${by0}`;
        const repeat = seen.get(key) ?? 0; // a revisited cell: the next number sits to the right
        seen.set(key, repeat + 1);
        const tx = ox + Math.max(0, bx0) + thick + 1 + repeat * Math.ceil(FONT_PX * 0.7);
        svgText.push(`<text x="${tx}" y="${oy + Math.max(0, by0) + thick + FONT_PX}" fill="#ff66ff">${t + 1}</text>`);
      }
    });
    wrapped[i]!.forEach((text, j) => {
      const ty = oy + im.height * scale + (j + 1) * LINE_PX - 3;
      svgText.push(`<text x="${ox}" y="${ty}">${escapeXml(text)}</text>`);
    });
  });
  const sharp = await loadSharp();
  let pipeline = sharp(canvas, { raw: { width: W, height: H, channels: 3 } });
  if (svgText.length > 0) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><g font-family="DejaVu Sans, sans-serif" font-size="${FONT_PX}" fill="#e8e8e8">${svgText.join('')}</g></svg>`;
    const composed = await sharp(await pipeline.png().toBuffer())
      .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
      .png()
      .toBuffer();
    pipeline = sharp(composed).removeAlpha(); // compositing adds an alpha channel; the sheet is plain RGB
  }
  const buf = await pipeline.png({ compressionLevel: 9, adaptiveFiltering: false, palette: false }).toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

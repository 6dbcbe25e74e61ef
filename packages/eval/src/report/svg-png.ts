import { LvrError } from '@lvr/core';
import { DEFAULT_MAX_INPUT_PIXELS, loadSharp } from '@lvr/data';

/**
 * Rasterises an SVG string to PNG bytes: the repository's one SVG → PNG function (charts of `svg-chart.ts`,
 * loss and reward curves, study figures). sharp renders with librsvg; text needs a system font such as DejaVu
 * Sans. The SVG is the caller's own markup, so vector input is allowed here, but the image decoders' pixel
 * limit (`DEFAULT_MAX_INPUT_PIXELS`, 40 Mpx) still bounds the canvas it may declare.
 *
 * @throws LvrError `BACKEND_UNAVAILABLE` when sharp cannot be loaded; `IMAGE_INVALID` when librsvg rejects
 *   the SVG or it declares more than 40 Mpx.
 * @example
 * await writeFileAtomic('chart.png', await svgToPng(barChartSvg({ groups: ['a'], series: [{ name: 's', values: [1] }] })));
 */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  const sharp = await loadSharp();
  try {
    const png = await sharp(Buffer.from(svg), { limitInputPixels: DEFAULT_MAX_INPUT_PIXELS }).png().toBuffer();
    return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
  } catch (cause) {
    throw new LvrError('IMAGE_INVALID', `could not rasterise SVG: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

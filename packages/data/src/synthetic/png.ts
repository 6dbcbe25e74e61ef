import { LvrError } from '@lvr/core';
import type { RgbImage } from '../image/rgb-image.js';
import { loadSharp } from '../image/sharp.js';

/**
 * Encodes an RGB image as PNG with sharp, with every option that affects the bytes pinned (no metadata,
 * fixed zlib level, no adaptive filtering, no palette quantisation), so the same pixels always give the
 * same bytes with a given sharp/libvips build.
 *
 * @example
 * const png = await encodePng({ width: 2, height: 1, data: new Uint8Array([255, 0, 0, 0, 0, 255]) });
 */
export async function encodePng(image: RgbImage): Promise<Uint8Array> {
  const { width, height, data } = image;
  if (data.length !== width * height * 3) {
    throw new LvrError('SHAPE_MISMATCH', `synthetic: image data has ${data.length} bytes, expected ${width}·${height}·3`, {
      details: { width, height, bytes: data.length },
    });
  }
  const sharp = await loadSharp();
  try {
    const buf = await sharp(data, { raw: { width, height, channels: 3 } })
      .png({ compressionLevel: 9, adaptiveFiltering: false, palette: false, progressive: false })
      .toBuffer();
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (cause) {
    throw new LvrError('IMAGE_INVALID', `synthetic: could not encode a ${width}×${height} PNG`, { cause });
  }
}

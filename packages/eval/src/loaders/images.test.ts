import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { put, tinyImage } from '../fixtures/benchmark-fixtures.js';
import { imagePixelSize } from './images.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-img-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('imagePixelSize', () => {
  it('reads the size from the header of a file or of bytes', async () => {
    const jpg = await tinyImage([1, 2, 3], 37, 21, 'jpeg');
    await put(join(dir, 'a.jpg'), jpg);
    expect(await imagePixelSize(join(dir, 'a.jpg'))).toEqual({ width: 37, height: 21 });
    expect(await imagePixelSize(await tinyImage([1, 2, 3], 5, 9))).toEqual({ width: 5, height: 9 });
  });
  it('IO_ERROR for a missing file, IMAGE_INVALID for bytes that are not an image', async () => {
    await expect(imagePixelSize(join(dir, 'none.jpg'))).rejects.toMatchObject({ code: 'IO_ERROR', message: expect.stringMatching(/none\.jpg/) });
    await put(join(dir, 'bad.jpg'), 'not an image');
    await expect(imagePixelSize(join(dir, 'bad.jpg'))).rejects.toMatchObject({ code: 'IMAGE_INVALID', message: expect.stringMatching(/bad\.jpg/) });
  });
});

import { describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { assertRgbImage, sourcePrefix } from './rgb-image.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isLvrError(e) ? e.code : 'not-lvr';
  }
}

describe('assertRgbImage', () => {
  it('accepts a well-formed image', () => {
    expect(codeOf(() => assertRgbImage({ width: 2, height: 3, data: new Uint8Array(18) }))).toBeUndefined();
  });
  it('rejects bad sizes, wrong data type and wrong length, naming the source', () => {
    expect(codeOf(() => assertRgbImage({ width: 0, height: 3, data: new Uint8Array(0) }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => assertRgbImage({ width: 2.5, height: 3, data: new Uint8Array(0) }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => assertRgbImage({ width: 1, height: 1, data: [1, 2, 3] as unknown as Uint8Array }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => assertRgbImage({ width: 2, height: 3, data: new Uint8Array(17) }))).toBe('SHAPE_MISMATCH');
    expect(() => assertRgbImage({ width: 2, height: 3, data: new Uint8Array(17), source: 'img/a.jpg' })).toThrow(
      'img/a.jpg: image data has 17 bytes, expected 2·3·3 = 18',
    );
  });
  it('sourcePrefix is empty without a source', () => {
    expect(sourcePrefix({})).toBe('');
    expect(sourcePrefix({ source: 'x' })).toBe('x: ');
  });
});

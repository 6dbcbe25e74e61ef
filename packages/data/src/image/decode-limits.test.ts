import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_INPUT_PIXELS, resolveDecodeLimits } from './decode-limits.js';

describe('resolveDecodeLimits', () => {
  it('fills the defaults: 40 Mpx, no vector formats', () => {
    expect(DEFAULT_MAX_INPUT_PIXELS).toBe(40_000_000);
    expect(resolveDecodeLimits()).toEqual({ maxInputPixels: 40_000_000, allowVector: false });
    expect(resolveDecodeLimits({ maxInputPixels: 123, allowVector: true })).toEqual({ maxInputPixels: 123, allowVector: true });
  });

  it('rejects a bad limit or flag naming the field', () => {
    for (const maxInputPixels of [0, -5, 2.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, '7' as unknown as number]) {
      expect(() => resolveDecodeLimits({ maxInputPixels })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', details: expect.objectContaining({ field: 'maxInputPixels' }) }));
    }
    expect(() => resolveDecodeLimits({ allowVector: 1 as unknown as boolean })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', details: expect.objectContaining({ field: 'allowVector' }) }));
  });
});

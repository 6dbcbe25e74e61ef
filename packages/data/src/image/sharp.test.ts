import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.doUnmock('sharp');
  vi.resetModules();
});

describe('loadSharp', () => {
  it('loads sharp once and returns the same factory', async () => {
    const { loadSharp } = await import('./sharp.js');
    const [a, b] = await Promise.all([loadSharp(), loadSharp()]);
    expect(a).toBe(b);
    expect(a).toBe((await import('sharp')).default);
    expect(typeof a.versions.vips).toBe('string');
  });

  it('turns a failed load into BACKEND_UNAVAILABLE, and tries again on the next call', async () => {
    vi.resetModules();
    vi.doMock('sharp', () => {
      throw new Error('Could not load the "sharp" module using the linux-x64 runtime');
    });
    const { loadSharp } = await import('./sharp.js');
    await expect(loadSharp()).rejects.toMatchObject({
      name: 'LvrError',
      code: 'BACKEND_UNAVAILABLE',
      message: expect.stringContaining('sharp (libvips) is needed to decode or encode images but could not be loaded'),
    });
    vi.doUnmock('sharp');
    vi.resetModules();
    // The failure was not cached: with sharp available again the same module instance loads it.
    await expect(loadSharp()).resolves.toBeTypeOf('function');
  });
});

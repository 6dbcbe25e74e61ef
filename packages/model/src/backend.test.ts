import { afterEach, describe, expect, it } from 'vitest';
import { initBackend } from './backend.js';

const saved = process.env.LVR_BACKEND;
afterEach(() => {
  if (saved === undefined) delete process.env.LVR_BACKEND;
  else process.env.LVR_BACKEND = saved;
});

describe('initBackend', () => {
  it('rejects an unknown LVR_BACKEND or prefer instead of falling back to wasm', async () => {
    process.env.LVR_BACKEND = 'bogus';
    await expect(initBackend()).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'the LVR_BACKEND environment variable must be one of auto, wasm, native, cpu, got "bogus"',
    });
    delete process.env.LVR_BACKEND;
    await expect(initBackend({ prefer: 'gpu' as never })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('initBackend: prefer must be one of') });
    // an explicit prefer wins over the variable; an empty variable means auto
    process.env.LVR_BACKEND = 'bogus';
    await expect(initBackend({ prefer: 'wasm' })).resolves.toBe('wasm');
    process.env.LVR_BACKEND = '';
    await expect(initBackend()).resolves.toBe('wasm');
  });
});

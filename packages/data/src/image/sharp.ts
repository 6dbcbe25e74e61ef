import { LvrError } from '@lvr/core';

/** The sharp module's default export (the `sharp(...)` factory). */
export type Sharp = (typeof import('sharp'))['default'];

let cached: Promise<Sharp> | undefined;

/**
 * The one place @lvr loads sharp (libvips, a native library): a cached dynamic `import('sharp')`, so that
 * importing `@lvr/data` — and the backend-neutral packages built on it — loads no native code. Every image
 * decode, encode and SVG rasterisation calls this first; the first call pays the load (~50 ms), later calls
 * get the same module.
 *
 * @throws LvrError `BACKEND_UNAVAILABLE` when sharp (or its libvips binary for this platform) cannot be
 *   loaded, with the loader's error as `cause`. A failed load is not cached, so a later call tries again.
 * @example
 * const sharp = await loadSharp();
 * const meta = await sharp(bytes).metadata();
 */
export function loadSharp(): Promise<Sharp> {
  cached ??= import('sharp').then(
    (m) => m.default,
    (cause: unknown) => {
      cached = undefined;
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new LvrError('BACKEND_UNAVAILABLE', `sharp (libvips) is needed to decode or encode images but could not be loaded: ${why}`, {
        cause,
      });
    },
  );
  return cached;
}

import { Semaphore } from 'async-mutex';
import { LvrError } from '@lvr/core';
import { DEFAULT_DECODE_BUDGET_BYTES } from './decode-limits.js';

const MIB = 1024 * 1024;

/**
 * Bytes one decode holds at its peak, from the image header: the 8-bit buffer libvips returns (RGB, or RGBA
 * when the image has alpha) plus, with alpha, the RGB copy composited on white. Later stages (resize,
 * patchify) are bounded by the preprocessing pixel budget, not by the input size, and are not counted.
 *
 * @example
 * estimateDecodeBytes({ width: 2000, height: 1500, hasAlpha: false }); // 9_000_000
 */
export function estimateDecodeBytes(header: { readonly width: number; readonly height: number; readonly hasAlpha: boolean }): number {
  return header.width * header.height * (header.hasAlpha ? 4 + 3 : 3);
}

/**
 * Caps the memory of concurrent image decodes: a decode of `bytes` (see {@link estimateDecodeBytes}) waits
 * until it fits in what the running ones leave of the budget. Waiters are served in arrival order, so a large
 * image is not starved by small ones. A single decode larger than the whole budget still runs, alone.
 * Callers that fan out (`Promise.all` over a batch of images) therefore need no limit of their own:
 * `loadImage` and `loadAndPreprocessImage` share the process-wide {@link defaultDecodeBudget} unless given
 * another one.
 *
 * Bytes are counted in whole MiB (rounded up, at least 1 MiB per decode): async-mutex's weighted
 * semaphore does work proportional to the free weight on each release.
 *
 * @example
 * const budget = new DecodeBudget(256 * 1024 * 1024);
 * const imgs = await Promise.all(paths.map((p) => loadImage(p, { decodeBudget: budget })));
 */
export class DecodeBudget {
  /** The budget in bytes (a whole number of MiB). */
  readonly bytes: number;
  private readonly semaphore: Semaphore;
  private readonly capacityMib: number;
  private inFlightMib = 0;

  /**
   * @param bytes Budget in bytes, at least 1 MiB (rounded up to whole MiB). Default
   *   {@link DEFAULT_DECODE_BUDGET_BYTES} (512 MiB).
   * @throws LvrError `INVALID_ARGUMENT` for a non-finite budget or one under 1 MiB.
   */
  constructor(bytes: number = DEFAULT_DECODE_BUDGET_BYTES) {
    if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < MIB) {
      throw new LvrError('INVALID_ARGUMENT', `DecodeBudget: bytes must be a finite number ≥ 1 MiB (${MIB}), got ${String(bytes)}`, {
        details: { field: 'bytes', value: bytes },
      });
    }
    this.capacityMib = Math.ceil(bytes / MIB);
    this.bytes = this.capacityMib * MIB;
    this.semaphore = new Semaphore(this.capacityMib);
  }

  /** Bytes held by the decodes running now (whole MiB per decode). */
  get inFlightBytes(): number {
    return this.inFlightMib * MIB;
  }

  /**
   * Runs `fn` once `bytes` fit in the budget, and holds them until `fn` settles.
   *
   * @example
   * const img = await budget.run(estimateDecodeBytes(header), () => decode(bytes));
   */
  async run<T>(bytes: number, fn: () => Promise<T>): Promise<T> {
    const weight = Math.min(this.capacityMib, Math.max(1, Math.ceil((Number.isFinite(bytes) ? bytes : this.bytes) / MIB)));
    return this.semaphore.runExclusive(async () => {
      this.inFlightMib += weight;
      try {
        return await fn();
      } finally {
        this.inFlightMib -= weight;
      }
    }, weight);
  }
}

/**
 * The budget every decode of the process shares unless its caller passes `decodeBudget`:
 * {@link DEFAULT_DECODE_BUDGET_BYTES} (512 MiB).
 */
export const defaultDecodeBudget = new DecodeBudget();

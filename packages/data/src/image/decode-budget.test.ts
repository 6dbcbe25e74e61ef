import { describe, expect, it } from 'vitest';
import { DEFAULT_DECODE_BUDGET_BYTES } from './decode-limits.js';
import { DecodeBudget, defaultDecodeBudget, estimateDecodeBytes } from './decode-budget.js';

const MIB = 1024 * 1024;

/** A task whose completion the test controls. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('estimateDecodeBytes', () => {
  it('counts the RGB buffer, or RGBA plus its RGB copy with alpha', () => {
    expect(estimateDecodeBytes({ width: 2000, height: 1500, hasAlpha: false })).toBe(9_000_000);
    expect(estimateDecodeBytes({ width: 2000, height: 1500, hasAlpha: true })).toBe(21_000_000);
  });
});

describe('DecodeBudget', () => {
  it('defaults to 512 MiB, shared by the process', () => {
    expect(DEFAULT_DECODE_BUDGET_BYTES).toBe(512 * MIB);
    expect(new DecodeBudget().bytes).toBe(512 * MIB);
    expect(defaultDecodeBudget.bytes).toBe(DEFAULT_DECODE_BUDGET_BYTES);
    expect(new DecodeBudget(1.5 * MIB).bytes).toBe(2 * MIB); // whole MiB, rounded up
  });

  it('runs only what fits: 4 MiB tasks in a 10 MiB budget go two at a time, in arrival order', async () => {
    const budget = new DecodeBudget(10 * MIB);
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    const done = Promise.all(gates.map((g, i) => budget.run(4 * MIB, async () => {
      started.push(i);
      expect(budget.inFlightBytes).toBeLessThanOrEqual(10 * MIB);
      await g.promise;
      return i;
    })));
    await tick();
    expect(started).toEqual([0, 1]);
    expect(budget.inFlightBytes).toBe(8 * MIB);
    gates[1]!.open();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.open();
    gates[2]!.open();
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    gates[3]!.open();
    gates[4]!.open();
    expect(await done).toEqual([0, 1, 2, 3, 4]);
    expect(budget.inFlightBytes).toBe(0);
  });

  it('runs a task larger than the whole budget alone, and small ones behind it wait (no starvation)', async () => {
    const budget = new DecodeBudget(8 * MIB);
    const small = gate();
    const big = gate();
    const order: string[] = [];
    const a = budget.run(2 * MIB, async () => { order.push('small-1'); await small.promise; });
    const b = budget.run(100 * MIB, async () => { order.push('big'); await big.promise; });
    const c = budget.run(2 * MIB, async () => { order.push('small-2'); });
    await tick();
    expect(order).toEqual(['small-1']); // small-2 would fit, but waits behind big
    small.open();
    await tick();
    expect(order).toEqual(['small-1', 'big']);
    expect(budget.inFlightBytes).toBe(8 * MIB);
    big.open();
    await Promise.all([a, b, c]);
    expect(order).toEqual(['small-1', 'big', 'small-2']);
  });

  it('releases its share when the task fails', async () => {
    const budget = new DecodeBudget(MIB);
    await expect(budget.run(MIB, async () => { throw new Error('decode failed'); })).rejects.toThrow('decode failed');
    expect(budget.inFlightBytes).toBe(0);
    await expect(budget.run(MIB, async () => 'next')).resolves.toBe('next');
  });

  it('rejects a budget under 1 MiB or not finite', () => {
    for (const bytes of [0, MIB - 1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new DecodeBudget(bytes)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });
});

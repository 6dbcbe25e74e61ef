import { LvrError } from '@lvr/core';

/** Shard `index` of `count`, 1-based (`--shard 2/4` is the second of four). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * Parses a `--shard i/n` value (1 ≤ i ≤ n). `INVALID_ARGUMENT` otherwise.
 *
 * @example
 * parseShard('2/4'); // { index: 2, count: 4 }
 */
export function parseShard(spec: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(count >= 1 && index >= 1 && index <= count)) {
    throw new LvrError('INVALID_ARGUMENT', `shard: expected "i/n" with 1 ≤ i ≤ n (e.g. "2/4"), got ${JSON.stringify(spec)}`, { details: { spec } });
  }
  return { index, count };
}

/**
 * The items of one shard: a contiguous block of the item order, `[floor((i−1)·N/n), floor(i·N/n))`. The
 * shards cover every item exactly once, and concatenating them in shard order gives the original order (so
 * merged shard results equal an unsharded run). No shard → all items.
 *
 * @example
 * shardItems(['a', 'b', 'c', 'd', 'e'], { index: 2, count: 2 }); // ['c', 'd', 'e']
 */
export function shardItems<T>(items: readonly T[], shard?: Shard | string): T[] {
  if (shard === undefined) return [...items];
  const s = typeof shard === 'string' ? parseShard(shard) : parseShard(`${shard.index}/${shard.count}`);
  const n = items.length;
  return items.slice(Math.floor(((s.index - 1) * n) / s.count), Math.floor((s.index * n) / s.count));
}

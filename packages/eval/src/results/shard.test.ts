import { describe, expect, it } from 'vitest';
import { parseShard, shardItems } from './shard.js';

describe('parseShard', () => {
  it('parses 1-based i/n and rejects the rest', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/4', '5/4', '2/0', '2', 'a/b', '-1/2', '1.5/3']) expect(() => parseShard(bad)).toThrow(/expected "i\/n"/);
  });
});

describe('shardItems', () => {
  it('contiguous blocks that cover every item once, in order, for any n', () => {
    const items = Array.from({ length: 11 }, (_, i) => i);
    for (let n = 1; n <= 13; n++) {
      const shards = Array.from({ length: n }, (_, k) => shardItems(items, `${k + 1}/${n}`));
      expect(shards.flat()).toEqual(items);
      const sizes = shards.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(shardItems(items, { index: 3, count: 3 })).toEqual([7, 8, 9, 10]);
    expect(shardItems(items)).toEqual(items);
    expect(() => shardItems(items, { index: 4, count: 3 })).toThrow(/expected "i\/n"/);
  });
});

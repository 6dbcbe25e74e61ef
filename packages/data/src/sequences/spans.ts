/** A run of `length` tokens starting at position `start` (e.g. the `<|image_pad|>` tokens of one image). */
export interface TokenSpan {
  start: number;
  length: number;
}

/** A half-open position range `[start, end)`. */
export interface PositionRange {
  start: number;
  end: number;
}

/**
 * Maximal runs of `tokenId` in `ids`, in order.
 *
 * @example
 * findTokenRuns(Int32Array.from([1, 5, 5, 2, 5]), 5); // [{ start: 1, length: 2 }, { start: 4, length: 1 }]
 */
export function findTokenRuns(ids: ArrayLike<number>, tokenId: number): TokenSpan[] {
  const runs: TokenSpan[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] !== tokenId) continue;
    let j = i;
    while (j < ids.length && ids[j] === tokenId) j++;
    runs.push({ start: i, length: j - i });
    i = j - 1;
  }
  return runs;
}

/** Positions of every occurrence of `tokenId` in `ids`, ascending. */
export function findTokenPositions(ids: ArrayLike<number>, tokenId: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) if (ids[i] === tokenId) out.push(i);
  return out;
}

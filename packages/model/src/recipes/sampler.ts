import { Rng } from '@lvr/core';

/**
 * Deterministic epoch sampler: item k of the stream is `perm_e[k mod n]` with `e = floor(k / n)` and
 * `perm_e` a seeded shuffle. `batch(i)` returns the indices of batch i; any batch can be recomputed from its
 * index alone, which is what makes resumed training see exactly the same data.
 *
 * @example
 * const s = new EpochSampler(2000, 32, 7);
 * s.batch(0); // 32 indices of epoch 0
 */
export class EpochSampler {
  private readonly perms = new Map<number, Int32Array>();

  constructor(readonly size: number, readonly batchSize: number, readonly seed: number) {}

  private perm(epoch: number): Int32Array {
    let p = this.perms.get(epoch);
    if (!p) {
      const arr = Array.from({ length: this.size }, (_, i) => i);
      new Rng(`${this.seed}:${epoch}`).shuffle(arr);
      p = Int32Array.from(arr);
      if (this.perms.size > 4) this.perms.clear();
      this.perms.set(epoch, p);
    }
    return p;
  }

  batch(index: number): number[] {
    const out: number[] = [];
    for (let k = index * this.batchSize; k < (index + 1) * this.batchSize; k++) {
      out.push(this.perm(Math.floor(k / this.size))[k % this.size] as number);
    }
    return out;
  }
}

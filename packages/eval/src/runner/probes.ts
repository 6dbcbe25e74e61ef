import { LvrError, Rng, hashString } from '@lvr/core';
import type { LatentTransform } from '@lvr/decoding';

/**
 * Latent-reliance probes ("does the model use its latents at all?"): re-evaluate with the latents replaced.
 * - `zeros` — every fed latent (LVR) / every latent-token embedding (LIVR) set to 0;
 * - `noise` — Gaussian noise with the same L2 norm as the vector it replaces (LVR);
 * - `shuffle` — the latents another item generated in the normal run (same step), items deranged (LVR);
 * - `first-repeat` — every latent of a span replaced by the FIRST latent the same item fed in the normal run:
 *   the span keeps its length and its first content but carries no step-to-step information (LVR);
 * - `skip` — the latent span is skipped: `<|lvr_end|>` right after `<|lvr_start|>` (LVR); LIVR: no latent tokens;
 * - `markers-only` — the span's markers with no latents: for LVR exactly `skip`, under the name the Token
 *   Replacement Test reports use (LVR only);
 * - `bottleneck` — LIVR's stage-1 mask at test time: the answer sees the image only through the latents;
 * - `gt-roi` — the item's ground-truth ROI visual tokens are fed as the latents (cycled to the span length) (LVR);
 * - `oracle` — latent t is fed the visual token(s) of `item.rois[t]` in hop order (a box covering several tokens
 *   contributes all of them, in raster order, like `gt-roi`), cycled to the span length; items without `rois`
 *   fall back to `gt-roi` (LVR);
 * - `counterfactual` — as `oracle` with `item.counterfactual.rois` (another start cell's chain); the record's
 *   `followed` says whether the answer became `counterfactual.answerWord` (LVR; items need a counterfactual);
 * - `distractor` — the tokens of a non-ROI region are fed instead: the non-ROI cells of the image farthest (L2)
 *   from its mean visual token, i.e. the most object-like cells outside the ROI, as many as the ROI has (LVR).
 *   The synthetic test records carry only the ROI box, not the other objects', hence this proxy (runner/roi.ts).
 *
 * Every probe acts on the FED vector (`latentTransform`), so it applies whatever the model's latent feedback is
 * (hidden state, pointer argmax / mix, pause embeddings).
 */
export type ProbeKind =
  | 'none' | 'zeros' | 'noise' | 'shuffle' | 'first-repeat' | 'skip' | 'markers-only' | 'bottleneck'
  | 'gt-roi' | 'oracle' | 'counterfactual' | 'distractor';

export const PROBES_LVR: readonly ProbeKind[] = Object.freeze(['zeros', 'noise', 'shuffle', 'skip']);
/** LVR probes that feed visual tokens of the item's own image (need `StepModel.encodeImages` and the item's ROI). */
export const PROBES_LVR_ROI: readonly ProbeKind[] = Object.freeze(['gt-roi', 'distractor']);
/**
 * The Token Replacement Test of issue 11 on an LVR model (chase items): `shuffle` and `first-repeat` need the
 * normal run's latents (`EvaluateOptions.reference`), `oracle` / `counterfactual` need `encodeImages` and the
 * items' `rois` / `counterfactual`.
 */
export const PROBES_TRT: readonly ProbeKind[] = Object.freeze(['zeros', 'noise', 'shuffle', 'first-repeat', 'oracle', 'counterfactual', 'markers-only']);
/** Probes that feed visual tokens of the item's image (computed per item by the runner). */
export const PROBES_FEEDING: readonly ProbeKind[] = Object.freeze(['gt-roi', 'oracle', 'counterfactual', 'distractor']);
/** Probes that need the latents of a normal run (`reference`). */
export const PROBES_NEED_REFERENCE: readonly ProbeKind[] = Object.freeze(['shuffle', 'first-repeat']);

/**
 * Whether a probe can run on an item (the study filters a mixed suite with it): `counterfactual` needs
 * `item.counterfactual`, the other ROI probes an ROI box (`roi` or `rois`); every other probe applies to all items.
 *
 * @example
 * items.filter((it) => probeApplies('counterfactual', it)); // the chase items
 */
export function probeApplies(probe: ProbeKind, item: { roi?: unknown; rois?: readonly unknown[] | undefined; counterfactual?: unknown }): boolean {
  if (probe === 'counterfactual') return item.counterfactual !== undefined;
  if (probe === 'oracle') return item.rois !== undefined || item.roi !== undefined;
  if (probe === 'gt-roi' || probe === 'distractor') return item.roi !== undefined;
  return true;
}

export const PROBES_LIVR: readonly ProbeKind[] = Object.freeze(['zeros', 'skip', 'bottleneck']);

/** A seeded derangement of 0..n−1 (no fixed point when n > 1). */
export function derangement(n: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const p = Int32Array.from({ length: n }, (_, i) => i);
  if (n < 2) return p;
  for (let tries = 0; tries < 1000; tries++) {
    rng.shuffle(p as unknown as number[]);
    if (p.every((v, i) => v !== i)) return p;
  }
  // Fallback: a rotation is always a derangement.
  return Int32Array.from({ length: n }, (_, i) => (i + 1) % n);
}

function normalise(v: Float32Array, norm: number): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const scale = s > 0 ? norm / Math.sqrt(s) : 0;
  return v.map((x) => x * scale);
}

function l2(v: Float32Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

/**
 * The `latentTransform` of an LVR probe for one `generate` call whose rows are `itemIds` (in row order).
 * `reference` holds the vectors each item fed in the normal run (needed by `shuffle` and `first-repeat`); `feed`
 * the vectors each item is fed by `gt-roi` / `oracle` / `counterfactual` / `distractor` (cycled over the span's
 * steps: step t gets `feed[t mod length]`).
 */
export function lvrLatentTransform(
  probe: ProbeKind,
  itemIds: readonly string[],
  opts: { seed: number; reference?: ReadonlyMap<string, readonly Float32Array[]>; allIds?: readonly string[]; feed?: ReadonlyMap<string, readonly Float32Array[]> },
): LatentTransform | undefined {
  if (probe === 'none' || probe === 'skip' || probe === 'markers-only' || probe === 'bottleneck') return undefined;
  if (PROBES_FEEDING.includes(probe)) {
    const feed = opts.feed;
    if (!feed) throw new LvrError('INVALID_ARGUMENT', `the ${probe} probe needs the vectors to feed per item`);
    return (ctx) => {
      const id = itemIds[ctx.row] as string;
      const vs = feed.get(id);
      if (!vs || vs.length === 0) throw new LvrError('INVALID_ARGUMENT', `the ${probe} probe has no vectors for item ${id}`);
      return Float32Array.from(vs[ctx.step % vs.length] as Float32Array);
    };
  }
  if (probe === 'zeros') return (ctx) => new Float32Array(ctx.vector.length);
  if (probe === 'noise') {
    return (ctx) => {
      const rng = new Rng(hashString(`${opts.seed}:${itemIds[ctx.row]}:${ctx.spanIndex}:${ctx.step}`));
      return normalise(Float32Array.from({ length: ctx.vector.length }, () => rng.normal()), l2(ctx.vector));
    };
  }
  if (probe === 'first-repeat') {
    const ref = opts.reference;
    if (!ref) throw new LvrError('INVALID_ARGUMENT', 'the first-repeat probe needs the latents of a normal run (reference)');
    // An item that fed no latent in the normal run has no first latent: it is fed zeros (like shuffle's fallback).
    return (ctx) => {
      const first = ref.get(itemIds[ctx.row] as string)?.[0];
      return first ? Float32Array.from(first) : new Float32Array(ctx.vector.length);
    };
  }
  if (probe === 'shuffle') {
    const ref = opts.reference;
    const all = opts.allIds;
    if (!ref || !all) throw new LvrError('INVALID_ARGUMENT', 'the shuffle probe needs the latents of a normal run (reference) and the list of all item ids');
    const perm = derangement(all.length, opts.seed);
    const index = new Map(all.map((id, i) => [id, i]));
    return (ctx) => {
      const i = index.get(itemIds[ctx.row] as string);
      const donor = i === undefined ? undefined : ref.get(all[perm[i] as number] as string);
      const v = donor?.[ctx.step] ?? donor?.[donor.length - 1];
      return v ? Float32Array.from(v) : new Float32Array(ctx.vector.length);
    };
  }
  throw new LvrError('INVALID_ARGUMENT', `unknown probe "${String(probe)}"`);
}

import { LvrError } from '@lvr/core';
import type { NormalizedBox } from '@lvr/data';
import type { StepImage, StepModel } from '@lvr/decoding';
import type { McqItem } from '../item.js';
import type { ProbeKind } from './probes.js';
import { distractorVectors, nearestToken, roiHitFraction, roiTokenIndices, tokenRows } from './roi.js';

/**
 * One item's first-image visual tokens (n × D, row-major) and the token indices of its ROI boxes, for the probes
 * that feed visual tokens and for the latent measurements (roi_hit, per-hop decodability).
 */
export interface ItemVisual {
  readonly id: string;
  readonly tokens: Float32Array;
  readonly d: number;
  /** Tokens of `item.roi` (packed rule); undefined when the item has no `roi`. */
  readonly roi: number[] | undefined;
  /** Per box of `item.rois`, its tokens (hop order); undefined without `rois`. */
  readonly hops: number[][] | undefined;
  /** Per box of `item.counterfactual.rois`, its tokens; undefined without a counterfactual. */
  readonly counterfactual: number[][] | undefined;
}

function groups(it: McqItem, boxes: readonly NormalizedBox[] | undefined, field: string, grid: StepImage['gridThw'], merge: number): number[][] | undefined {
  if (!boxes) return undefined;
  return boxes.map((b, t) => {
    const g = roiTokenIndices(b, grid, merge);
    if (g.length === 0) throw new LvrError('INVALID_ARGUMENT', `item ${it.id}: ${field}[${t}] covers no visual token`);
    return g;
  });
}

/**
 * Encodes the first image of every item (`StepModel.encodeImages`, one call per chunk) and maps its boxes to
 * merged-grid token indices. `images[i]` are item i's preprocessed images.
 *
 * @example
 * const visual = await encodeItemVisuals(stepModel, chunk, chunkImages, 2);
 * visual[0].hops; // e.g. [[6], [7], [11]] for a chase-3 item on a 4×4 token grid
 */
export async function encodeItemVisuals(sm: StepModel, chunk: readonly McqItem[], images: readonly StepImage[][], merge: number): Promise<ItemVisual[]> {
  if (!sm.encodeImages) throw new LvrError('UNSUPPORTED', `the visual-token probes need a step model with encodeImages (${sm.backend} has none)`);
  const firsts = chunk.map((it, i) => {
    const im = images[i]?.[0];
    if (!im) throw new LvrError('INVALID_ARGUMENT', `item ${it.id}: the ROI probes need an image`);
    return im;
  });
  const all = await sm.encodeImages(firsts);
  const d = sm.hiddenSize;
  let off = 0;
  return chunk.map((it, i) => {
    const g = (firsts[i] as StepImage).gridThw;
    const n = (g.t * g.h * g.w) / (merge * merge);
    const tokens = all.slice(off * d, (off + n) * d);
    off += n;
    return {
      id: it.id, tokens, d,
      roi: it.roi ? roiTokenIndices(it.roi, g, merge) : undefined,
      hops: groups(it, it.rois, 'rois', g, merge),
      counterfactual: groups(it, it.counterfactual?.rois, 'counterfactual.rois', g, merge),
    };
  });
}

function needRoi(v: ItemVisual, probe: string): number[] {
  if (!v.roi) throw new LvrError('INVALID_ARGUMENT', `item ${v.id}: the ${probe} probe needs the item's roi box`);
  if (v.roi.length === 0) throw new LvrError('INVALID_ARGUMENT', `item ${v.id}: its roi covers no visual token`);
  return v.roi;
}

/**
 * The vectors a feeding probe gives one item, in feeding order (the transform cycles them over the span):
 * `gt-roi` the ROI tokens; `distractor` see `distractorVectors`; `oracle` the tokens of `rois` in hop order
 * (box by box; `gt-roi` when the item has no `rois`); `counterfactual` the tokens of `counterfactual.rois`.
 *
 * @example
 * probeFeedVectors('oracle', visual).length; // k for a chase-k item (one token per hop cell)
 */
export function probeFeedVectors(probe: ProbeKind, v: ItemVisual): Float32Array[] {
  switch (probe) {
    case 'gt-roi': return tokenRows(v.tokens, v.d, needRoi(v, probe));
    case 'distractor': return distractorVectors(v.tokens, v.d, needRoi(v, probe));
    case 'oracle': return v.hops ? tokenRows(v.tokens, v.d, v.hops.flat()) : tokenRows(v.tokens, v.d, needRoi(v, probe));
    case 'counterfactual':
      if (!v.counterfactual) throw new LvrError('INVALID_ARGUMENT', `item ${v.id}: the counterfactual probe needs the item's counterfactual chain`);
      return tokenRows(v.tokens, v.d, v.counterfactual.flat());
    default: throw new LvrError('INVALID_ARGUMENT', `the ${probe} probe feeds no visual tokens`);
  }
}

/** Per hop t, whether latent t's nearest visual token lies in hop t's box, by raw dot product and by L2. */
export interface HopHits {
  readonly dot: boolean[];
  readonly l2: boolean[];
}

/**
 * Per-hop decodability of one item: for hop t = 0 … k−1, is the nearest visual token of the t-th generated latent
 * (largest `latent · v_j` = the pointer arms' argmax; and smallest L2) one of the tokens of `hops[t]`? A hop the
 * run generated no latent for counts as a miss; latents past the k-th are ignored. `pointers` (the decoding
 * trace's `LatentSpan.pointer` of pointer feedbacks: the argmax token of the raw latent) replaces the dot-product
 * search when given, since a pointer arm feeds v_j rather than its latent.
 *
 * @example
 * hopDecodability([l0, l1, l2], tokens, 64, [[6], [7], [11]]); // { dot: [true, true, false], l2: [true, true, false] }
 */
export function hopDecodability(latents: readonly Float32Array[], tokens: Float32Array, d: number, hops: readonly (readonly number[])[], pointers?: readonly number[]): HopHits {
  const dot: boolean[] = [];
  const l2: boolean[] = [];
  const usePointers = pointers !== undefined && pointers.length === latents.length;
  hops.forEach((cells, t) => {
    const v = latents[t];
    dot.push(v !== undefined && cells.includes(usePointers ? (pointers[t] as number) : nearestToken(v, tokens, d, 'dot')));
    l2.push(v !== undefined && cells.includes(nearestToken(v, tokens, d, 'l2')));
  });
  return { dot, l2 };
}

/** `roi_hit` record fields of one item (L2 and centred cosine); empty without an ROI or latents. */
export function roiHits(vectors: readonly Float32Array[], v: ItemVisual): { roiHitL2?: number; roiHitCos?: number } {
  if (!v.roi || v.roi.length === 0) return {};
  const l2 = roiHitFraction(vectors, v.tokens, v.d, v.roi, 'l2');
  const c = roiHitFraction(vectors, v.tokens, v.d, v.roi, 'cosine');
  return l2 === undefined ? {} : { roiHitL2: l2, roiHitCos: c };
}

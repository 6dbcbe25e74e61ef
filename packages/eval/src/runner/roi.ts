import { LvrError } from '@lvr/core';
import { boxesToTokenGroups, type NormalizedBox } from '@lvr/data';

/**
 * ROI helpers of the LVR probes: which visual tokens of an item's image are its region of interest (the packed
 * rule of `@lvr/data`, exactly as LVR training maps boxes to latent targets), which ones serve as the distractor,
 * and how often a generated latent's nearest visual token lies in the ROI (`roi_hit`).
 */

/**
 * Indices (into the image's merged token grid, row-major) of the tokens the ROI box covers.
 *
 * @example
 * roiTokenIndices([0.6, 0.2, 0.75, 0.31], { t: 1, h: 8, w: 8 }, 2); // e.g. [2, 6]
 */
export function roiTokenIndices(roi: NormalizedBox, gridThw: { t: number; h: number; w: number }, mergeSize: number): number[] {
  const groups = boxesToTokenGroups([roi], gridThw, { mergeSize });
  return groups[0] ?? [];
}

function rowOf(tokens: Float32Array, d: number, i: number): Float32Array {
  return tokens.subarray(i * d, (i + 1) * d);
}

function meanRow(tokens: Float32Array, d: number): Float32Array {
  const n = tokens.length / d;
  const mu = new Float32Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mu[j] = (mu[j] as number) + (tokens[i * d + j] as number) / n;
  return mu;
}

function checkTokens(tokens: Float32Array, d: number): number {
  if (!(d > 0) || tokens.length === 0 || tokens.length % d !== 0) throw new LvrError('SHAPE_MISMATCH', `visual tokens: ${tokens.length} values are not a non-empty multiple of D = ${d}`);
  return tokens.length / d;
}

/**
 * The distractor of an image: the `count` non-ROI tokens farthest (L2) from the image's mean token — the most
 * object-like cells outside the ROI (the background cells sit close to the mean), in decreasing distance.
 * Falls back to fewer tokens when the image has fewer non-ROI cells; an image that is all ROI gives [].
 *
 * @example
 * distractorTokenIndices(tokens, 64, [5, 6], 2); // e.g. [12, 1]
 */
export function distractorTokenIndices(tokens: Float32Array, d: number, roi: readonly number[], count: number): number[] {
  const n = checkTokens(tokens, d);
  const mu = meanRow(tokens, d);
  const inRoi = new Set(roi);
  const dist: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    if (inRoi.has(i)) continue;
    let s = 0;
    for (let j = 0; j < d; j++) s += ((tokens[i * d + j] as number) - (mu[j] as number)) ** 2;
    dist.push([i, s]);
  }
  dist.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return dist.slice(0, Math.max(1, count)).map(([i]) => i);
}

/**
 * The vectors the `distractor` probe feeds: the rows of {@link distractorTokenIndices}; when the ROI covers the
 * whole image (some count / position items) there is no non-ROI cell, and the image's mean token is fed instead
 * (an "average cell" that points at no object).
 *
 * @example
 * distractorVectors(tokens, 64, roi).length; // roi.length (or 1)
 */
export function distractorVectors(tokens: Float32Array, d: number, roi: readonly number[]): Float32Array[] {
  const idx = distractorTokenIndices(tokens, d, roi, roi.length);
  return idx.length > 0 ? tokenRows(tokens, d, idx) : [meanRow(tokens, d)];
}

/** Copies of the rows `indices` of a token matrix (the vectors a probe feeds). */
export function tokenRows(tokens: Float32Array, d: number, indices: readonly number[]): Float32Array[] {
  const n = checkTokens(tokens, d);
  return indices.map((i) => {
    if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new LvrError('SHAPE_MISMATCH', `token index ${i} outside [0, ${n})`);
    return Float32Array.from(rowOf(tokens, d, i));
  });
}

/**
 * Index of the visual token nearest to `v`: `l2` = smallest Euclidean distance (the space latents are fed in);
 * `cosine` = largest cosine after subtracting the image's mean token from both (the shared background component
 * makes raw cosines ≈ 0.8 for every cell — feasibility study §4); `dot` = largest raw dot product `v · v_j`
 * (the argmax of the pointer-feedback logits `latent · v_j / √D`).
 */
export function nearestToken(v: Float32Array, tokens: Float32Array, d: number, metric: 'l2' | 'cosine' | 'dot'): number {
  const n = checkTokens(tokens, d);
  if (v.length !== d) throw new LvrError('SHAPE_MISMATCH', `latent has ${v.length} values, expected D = ${d}`);
  const mu = metric === 'cosine' ? meanRow(tokens, d) : undefined;
  let best = -1;
  let bestScore = -Infinity;
  let vn = 0;
  if (mu) for (let j = 0; j < d; j++) vn += ((v[j] as number) - (mu[j] as number)) ** 2;
  for (let i = 0; i < n; i++) {
    let score = 0;
    if (metric === 'dot') {
      for (let j = 0; j < d; j++) score += (v[j] as number) * (tokens[i * d + j] as number);
    } else if (mu) {
      let dot = 0, tn = 0;
      for (let j = 0; j < d; j++) {
        const a = (v[j] as number) - (mu[j] as number);
        const b = (tokens[i * d + j] as number) - (mu[j] as number);
        dot += a * b;
        tn += b * b;
      }
      score = dot / Math.sqrt(Math.max(vn * tn, 1e-30));
    } else {
      for (let j = 0; j < d; j++) score -= ((v[j] as number) - (tokens[i * d + j] as number)) ** 2;
    }
    if (score > bestScore) { bestScore = score; best = i; }
  }
  return best;
}

/**
 * `roi_hit` of one item: the fraction of its generated latents whose nearest visual token (see `nearestToken`)
 * lies in the ROI; `undefined` when it generated no latent.
 *
 * @example
 * roiHitFraction(latents, tokens, 64, [5, 6], 'l2'); // 0.5
 */
export function roiHitFraction(latents: readonly Float32Array[], tokens: Float32Array, d: number, roi: readonly number[], metric: 'l2' | 'cosine'): number | undefined {
  if (latents.length === 0) return undefined;
  const inRoi = new Set(roi);
  let hits = 0;
  for (const v of latents) if (inRoi.has(nearestToken(v, tokens, d, metric))) hits++;
  return hits / latents.length;
}

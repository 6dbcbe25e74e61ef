import { describe, expect, it } from 'vitest';
import { lvrLatentTransform } from './probes.js';
import { distractorTokenIndices, distractorVectors, nearestToken, roiHitFraction, roiTokenIndices, tokenRows } from './roi.js';

// 4 tokens of D = 2: a background cluster around (1, 1) and one salient "object" token.
const tokens = Float32Array.from([1, 1, 1.1, 0.9, 5, -3, 0.9, 1.2]);
const D = 2;

describe('ROI probes', () => {
  it('maps the ROI box to merged-grid token indices like LVR training (packed rule)', () => {
    // 8×8 patch grid, merge 2 → a 4×4 token grid; the box covers cells (x 2, y 0..1).
    expect(roiTokenIndices([0.55, 0.05, 0.7, 0.4], { t: 1, h: 8, w: 8 }, 2)).toEqual([2, 6]);
  });

  it('the distractor is the most object-like non-ROI token (farthest from the image mean)', () => {
    expect(distractorTokenIndices(tokens, D, [0], 1)).toEqual([2]);
    expect(distractorTokenIndices(tokens, D, [2], 1)).not.toContain(2);
    expect(distractorTokenIndices(tokens, D, [0], 2)[0]).toBe(2);
    expect(tokenRows(tokens, D, [2])).toEqual([Float32Array.from([5, -3])]);
    expect(() => tokenRows(tokens, D, [4])).toThrow(/outside/);
    // An ROI covering the whole image: the mean token is fed.
    const all = distractorVectors(tokens, D, [0, 1, 2, 3]);
    expect(all.length).toBe(1);
    expect(all[0]![0]).toBeCloseTo(2, 5);
    expect(all[0]![1]).toBeCloseTo(0.025, 5);
    expect(distractorVectors(tokens, D, [0])).toEqual([Float32Array.from([5, -3])]);
  });

  it('nearest token by L2 and by centred cosine; roi_hit is the fraction of latents landing in the ROI', () => {
    expect(nearestToken(Float32Array.from([4, -2]), tokens, D, 'l2')).toBe(2);
    expect(nearestToken(Float32Array.from([1.09, 0.91]), tokens, D, 'l2')).toBe(1);
    // Scaled far away along the object's direction from the mean: L2 says token 2 too, cosine ignores the scale.
    expect(nearestToken(Float32Array.from([40, -40]), tokens, D, 'cosine')).toBe(2);
    const lat = [Float32Array.from([5, -3]), Float32Array.from([1, 1]), Float32Array.from([4.5, -2.5])];
    expect(roiHitFraction(lat, tokens, D, [2], 'l2')).toBeCloseTo(2 / 3);
    expect(roiHitFraction([], tokens, D, [2], 'l2')).toBeUndefined();
  });

  it('gt-roi / distractor feed the given vectors, cycled over the span’s steps', () => {
    const feed = new Map([['a', [Float32Array.of(1, 2), Float32Array.of(3, 4)]], ['b', [Float32Array.of(9, 9)]]]);
    const t = lvrLatentTransform('gt-roi', ['b', 'a'], { seed: 0, feed })!;
    const ctx = (row: number, step: number) => ({ row, spanIndex: 0, step, index: step, vector: Float32Array.of(0, 0), hidden: Float32Array.of(0, 0) });
    expect(Array.from(t(ctx(1, 0)))).toEqual([1, 2]);
    expect(Array.from(t(ctx(1, 1)))).toEqual([3, 4]);
    expect(Array.from(t(ctx(1, 2)))).toEqual([1, 2]);
    expect(Array.from(t(ctx(0, 3)))).toEqual([9, 9]);
    expect(() => lvrLatentTransform('distractor', ['a'], { seed: 0 })).toThrow(/needs the vectors/);
  });
});

import { describe, expect, it } from 'vitest';
import { tinyConfig, TINY_TOKENS as T } from '../testing.js';
import { planPrefill } from './prefill-plan.js';

const c = tinyConfig(); // pad 0, image_pad 1, vision_start 2, vision_end 3, latents 9..12, H 16
const img = { pixelValues: new Float32Array(16 * 96), gridThw: { t: 1, h: 4, w: 4 } };

describe('planPrefill', () => {
  it('left-pads, and without probes runs the whole prompt as one chunk', () => {
    const p = planPrefill(c, [{ inputIds: Int32Array.from([20, 21, 22]) }, { inputIds: Int32Array.from([23]) }]);
    expect(Array.from(p.ids)).toEqual([20, 21, 22, 0, 0, 23]);
    expect(p.chunks).toEqual([{ start: 0, end: 3, keyMask: Uint8Array.from([1, 1, 1, 0, 0, 1]) }]);
    expect(Array.from(p.positionIds.subarray(0, 6))).toEqual([0, 1, 2, 1, 1, 0]); // HF: masked positions get 1
  });

  it('image bottleneck: chunks split where a bottleneck row switches between image/latent queries and others', () => {
    const bottled = Int32Array.from([20, T.visionStartId, 1, 1, 1, 1, T.visionEndId, 21, 9, 10, 22]);
    const p = planPrefill(c, [{ inputIds: bottled, images: [img], imageBottleneck: true }, { inputIds: Int32Array.from([23, 24]) }]);
    expect(p.chunks.map((ch) => [ch.start, ch.end])).toEqual([[0, 2], [2, 6], [6, 8], [8, 10], [10, 11]]);
    const row0 = (k: number): number[] => { const ch = p.chunks[k]!; return Array.from(ch.keyMask.subarray(0, ch.end)); };
    expect(row0(1)).toEqual([1, 1, 1, 1, 1, 1]); // image queries see the image
    expect(row0(2)).toEqual([1, 1, 0, 0, 0, 0, 1, 1]); // text queries do not
    expect(row0(3)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]); // latent queries do
    expect(Array.from(p.stepMask.subarray(0, 11))).toEqual([1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1]); // later steps never
    const ch = p.chunks[2]!;
    expect(Array.from(ch.keyMask.subarray(ch.end, 2 * ch.end))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]); // row 1: left padding
  });

  it('maps embedding overrides to flat positions after padding, and rejects bad ones', () => {
    const v = new Float32Array(16);
    const p = planPrefill(c, [{ inputIds: Int32Array.from([20, 21, 22]) }, { inputIds: Int32Array.from([23]), embeddingOverrides: [{ position: 0, vector: v }] }]);
    expect(p.overrides.map((o) => o.flat)).toEqual([5]);
    expect(() => planPrefill(c, [{ inputIds: Int32Array.from([20]), embeddingOverrides: [{ position: 1, vector: v }] }])).toThrow(/row 0 override position 1 is outside its prompt/);
    expect(() => planPrefill(c, [{ inputIds: Int32Array.from([20]), embeddingOverrides: [{ position: 0, vector: new Float32Array(3) }] }])).toThrow(/3 values, expected 16/);
    expect(() => planPrefill(c, [{ inputIds: new Int32Array(0) }])).toThrow(/empty prompt/);
  });
});

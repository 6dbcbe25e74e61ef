import { describe, expect, it } from 'vitest';
import { LvrTokenizer, addLvrTokens, createWordLevelTokenizerJson, encodePng, type NormalizedBox } from '@lvr/data';
import type { StepImage } from '@lvr/decoding';
import { ScriptedStepModel, type StubRowContext } from '@lvr/decoding/testing';
import type { McqItem } from '../item.js';
import { evaluateItems, type EvalModel } from './evaluate.js';
import { lvrLatentTransform, probeApplies } from './probes.js';
import { hopDecodability } from './item-visual.js';

/**
 * A hand-made "chain follower" on a 4×4 token grid (64-px image, patch 8, merge 2 → 16 merged tokens, D = 16):
 * visual token j is the one-hot e_j, so a fed vector names a cell. The stub answers with the shape of the cell
 * its LAST fed latent names (argmax; no or a zero latent → cell 15), and its own latents are either the item's
 * hop cells (`good`) or always cell 0 (`collapsed`). Shapes: cell j → SHAPES[j % 4].
 */
const SHAPES = ['circle', 'square', 'star', 'triangle'];
const D = 16;
const tokJson = addLvrTokens(createWordLevelTokenizerJson({ words: ['item', 'one', 'two', 'what', 'shape', ...SHAPES], extraSpecialTokens: ['<answer>', '</answer>'] }));
const tok = LvrTokenizer.fromJson(tokJson);
const shapeIds = SHAPES.map((w) => tok.encode(w)[0] as number);
const box = (cell: number): NormalizedBox => [(cell % 4) / 4, Math.floor(cell / 4) / 4, (cell % 4 + 1) / 4, (Math.floor(cell / 4) + 1) / 4];

async function image(): Promise<Uint8Array> {
  return encodePng({ width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(128) });
}

function item(id: string, question: string, png: Uint8Array, hops: number[], cf: number[]): McqItem {
  const last = hops[hops.length - 1] as number;
  return {
    id, benchmark: 'synthetic', images: [{ kind: 'bytes', bytes: png, name: `${id}.png` }], question, options: SHAPES,
    answer: String.fromCharCode(65 + (last % 4)), answerWord: SHAPES[last % 4], category: 'chase-3', roi: box(hops[0] as number),
    rois: hops.map(box), hops: hops.length,
    counterfactual: { rois: cf.map(box), answerWord: SHAPES[(cf[cf.length - 1] as number) % 4] as string },
  };
}

const argmax = (v: Float32Array): number => {
  let b = 0;
  for (let j = 1; j < v.length; j++) if ((v[j] as number) > (v[b] as number)) b = j;
  return v[b] === 0 ? -1 : b;
};

class VisualStub extends ScriptedStepModel {
  async encodeImages(images: readonly StepImage[]): Promise<Float32Array> {
    const out = new Float32Array(images.length * 16 * D);
    images.forEach((_, i) => { for (let j = 0; j < 16; j++) out[(i * 16 + j) * D + j] = 1; });
    return out;
  }
}

function stub(hopsOf: (prompt: Int32Array) => number[], own: 'good' | 'collapsed'): VisualStub {
  const latentStep = (ctx: StubRowContext): number => ctx.received.filter((r) => r.input.kind === 'embedding').length;
  return new VisualStub({
    scripts: () => [],
    vocabSize: tok.vocabSize,
    hiddenSize: D,
    tokens: { eosId: tok.special.eos, padId: tok.special.pad, lvrStartId: tok.special.lvrStart!, lvrId: tok.special.lvr!, lvrLatentEndId: tok.special.lvrLatentEnd!, lvrEndId: tok.special.lvrEnd!, latentIds: [] },
    latent: (_h, ctx) => {
      const v = new Float32Array(D);
      const hops = hopsOf(ctx.prompt);
      v[own === 'good' ? (hops[Math.min(latentStep(ctx), hops.length - 1)] as number) : 0] = 1;
      return v;
    },
    logits: (ctx, scripted) => {
      const fed = ctx.received.filter((r) => r.input.kind === 'embedding');
      const lastVec = fed.length ? (fed[fed.length - 1]!.input as { vector: Float32Array }).vector : undefined;
      const cell = lastVec ? argmax(lastVec) : -1;
      const row = scripted.slice();
      row[shapeIds[(cell < 0 ? 15 : cell) % 4] as number] = 20;
      return row;
    },
  });
}

describe('Token Replacement Test probes (mechanism, scripted chain follower)', async () => {
  const png = await image();
  // Hop chains (cells) and counterfactual chains; answers: a → cell 6 (star), b → cell 9 (square).
  const a = item('a', 'item one what shape', png, [1, 5, 6], [12, 13, 7]);
  const b = item('b', 'item two what shape', png, [4, 8, 9], [2, 3, 11]);
  const hopsByPrompt = (p: Int32Array): number[] => (Array.from(p).includes(tok.encode('one')[0] as number) ? [1, 5, 6] : [4, 8, 9]);
  const base = { tokenizer: tok, preprocess: { patchSize: 8, mergeSize: 2, minPixels: 64 * 64, maxPixels: 64 * 64 }, method: 'lvr' as const };
  const good: EvalModel = { ...base, stepModel: stub(hopsByPrompt, 'good') };
  const collapsed: EvalModel = { ...base, stepModel: stub(hopsByPrompt, 'collapsed') };
  const opts = { strategy: { kind: 'fixed' as const, steps: 3, forceEnd: true }, seed: 1 };
  const items = [a, b];

  it('normal run + per-hop decodability: a pointing model decodes every hop, a collapsed one only cell 0', async () => {
    const n = await evaluateItems(good, items, { ...opts, hopDecode: true });
    expect(n.records.map((r) => r.correct)).toEqual([true, true]);
    expect(n.records[0]).toMatchObject({ hops: 3, hopHitDot: [true, true, true], hopHitL2: [true, true, true], latentSteps: 3 });
    const c = await evaluateItems(collapsed, items, { ...opts, hopDecode: true });
    expect(c.records.map((r) => r.correct)).toEqual([false, false]);
    expect(c.records[0]!.hopHitDot).toEqual([false, false, false]);
    expect(c.records[1]!.hopHitL2).toEqual([false, false, false]);
  });

  it('oracle feeds rois[t] at latent t and repairs the collapsed model; the counterfactual redirects the answer', async () => {
    const o = await evaluateItems(collapsed, items, { ...opts, probe: 'oracle' });
    expect(o.records.map((r) => r.correct)).toEqual([true, true]);
    expect(o.latents.get('a')!.map(argmax)).toEqual([1, 5, 6]);
    expect(o.latents.get('b')!.map(argmax)).toEqual([4, 8, 9]);
    const cf = await evaluateItems(good, items, { ...opts, probe: 'counterfactual' });
    expect(cf.latents.get('a')!.map(argmax)).toEqual([12, 13, 7]);
    expect(cf.records.map((r) => r.followed)).toEqual([true, true]);
    expect(cf.records.map((r) => r.correct)).toEqual([false, false]);
    // Without rois the oracle falls back to gt-roi (the single roi box, cycled).
    const noRois = { ...a, rois: undefined };
    const g = await evaluateItems(collapsed, [noRois], { ...opts, probe: 'oracle' });
    expect(g.latents.get('a')!.map(argmax)).toEqual([1, 1, 1]);
  });

  it('first-repeat feeds the first normal latent at every step; markers-only feeds none (= skip); zeros break the chain', async () => {
    const n = await evaluateItems(good, items, opts);
    const fr = await evaluateItems(good, items, { ...opts, probe: 'first-repeat', reference: n.latents });
    expect(fr.latents.get('a')!.map(argmax)).toEqual([1, 1, 1]);
    expect(fr.records.map((r) => r.prediction)).toEqual(['B', 'A']); // cells 1 → square, 4 → circle
    const m = await evaluateItems(good, items, { ...opts, probe: 'markers-only' });
    expect(m.records.every((r) => r.latentSteps === 0 && r.probe === 'markers-only')).toBe(true);
    expect(m.records.map((r) => r.text)).toEqual((await evaluateItems(good, items, { ...opts, probe: 'skip' })).records.map((r) => r.text));
    const z = await evaluateItems(good, items, { ...opts, probe: 'zeros' });
    expect(z.records.map((r) => r.prediction)).toEqual(['D', 'D']);
    await expect(evaluateItems(good, items, { ...opts, probe: 'first-repeat' })).rejects.toThrow(/needs the latents of a normal run/);
    await expect(evaluateItems(good, [{ ...a, counterfactual: undefined }], { ...opts, probe: 'counterfactual' })).rejects.toThrow(/item a: the counterfactual probe needs/);
  });

  it('hop decodability: dot product vs L2 differ off-manifold; recorded pointer argmaxes replace the dot search', () => {
    // Tokens e_0, e_1 and 3·e_2 (D = 3): the latent (0.1, 0, 0.5) is L2-nearest e_0 but has the largest dot with 3·e_2.
    const tokens = Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 3);
    const lat = [Float32Array.of(0.1, 0, 0.5), Float32Array.of(0, 1, 0)];
    expect(hopDecodability(lat, tokens, 3, [[2], [1], [0]])).toEqual({ dot: [true, true, false], l2: [false, true, false] });
    expect(hopDecodability(lat, tokens, 3, [[2], [1]], [0, 1]).dot).toEqual([false, true]);
  });

  it('probeApplies filters mixed suites; first-repeat falls back to zeros for an item without latents', () => {
    expect(probeApplies('counterfactual', a)).toBe(true);
    expect(probeApplies('counterfactual', { roi: [0, 0, 1, 1] })).toBe(false);
    expect(probeApplies('oracle', { roi: [0, 0, 1, 1] })).toBe(true);
    expect(probeApplies('oracle', {})).toBe(false);
    expect(probeApplies('zeros', {})).toBe(true);
    const t = lvrLatentTransform('first-repeat', ['x'], { seed: 0, reference: new Map() })!;
    expect(Array.from(t({ row: 0, spanIndex: 0, step: 1, index: 2, vector: Float32Array.of(3, 4), hidden: Float32Array.of(0, 0) }))).toEqual([0, 0]);
  });
});

import { describe, expect, it } from 'vitest';
import { LvrTokenizer, addLvrTokens, createWordLevelTokenizerJson, encodePng, type NormalizedBox } from '@lvr/data';
import type { StepImage } from '@lvr/decoding';
import { ScriptedStepModel, type StubRowContext } from '@lvr/decoding/testing';
import type { McqItem } from '../item.js';
import { evaluateItems, type EvalModel } from './evaluate.js';

/**
 * `EvalModel.feedback` reaches `generate`: a scripted model on a 4×4 token grid (visual token j = 2·e_j, D = 16)
 * whose latents point at the item's hop cells (latent = e_hop + 0.1, so it is never itself a visual token) and
 * which answers with the shape of the cell the LAST fed vector names (argmax).
 */
const SHAPES = ['circle', 'square', 'star', 'triangle'];
const D = 16;
const tok = LvrTokenizer.fromJson(addLvrTokens(createWordLevelTokenizerJson({ words: ['item', 'what', 'shape', ...SHAPES], extraSpecialTokens: ['<answer>', '</answer>'] })));
const shapeIds = SHAPES.map((w) => tok.encode(w)[0] as number);
const box = (cell: number): NormalizedBox => [(cell % 4) / 4, Math.floor(cell / 4) / 4, (cell % 4 + 1) / 4, (Math.floor(cell / 4) + 1) / 4];
const HOPS = [1, 5, 6];
const argmax = (v: Float32Array): number => v.reduce((b, x, j) => (x > (v[b] as number) ? j : b), 0);

class GridStub extends ScriptedStepModel {
  async encodeImages(images: readonly StepImage[]): Promise<Float32Array> {
    const out = new Float32Array(images.length * 16 * D);
    images.forEach((_, i) => { for (let j = 0; j < 16; j++) out[(i * 16 + j) * D + j] = 2; });
    return out;
  }
}

function stub(): GridStub {
  const fedOf = (ctx: StubRowContext): Float32Array[] => ctx.received.flatMap((r) => (r.input.kind === 'embedding' ? [r.input.vector] : []));
  return new GridStub({
    scripts: () => [], vocabSize: tok.vocabSize, hiddenSize: D,
    tokens: { eosId: tok.special.eos, padId: tok.special.pad, lvrStartId: tok.special.lvrStart!, lvrId: tok.special.lvr!, lvrLatentEndId: tok.special.lvrLatentEnd!, lvrEndId: tok.special.lvrEnd!, latentIds: [] },
    latent: (_h, ctx) => {
      const v = new Float32Array(D).fill(0.1);
      v[HOPS[Math.min(fedOf(ctx).length, HOPS.length - 1)] as number] = 1.1;
      return v;
    },
    logits: (ctx, scripted) => {
      const fed = fedOf(ctx);
      const row = scripted.slice();
      row[shapeIds[(fed.length ? argmax(fed[fed.length - 1]!) : 15) % 4] as number] = 20;
      return row;
    },
  });
}

describe('evaluateItems passes EvalModel.feedback to generate', async () => {
  const png = await encodePng({ width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(128) });
  const item: McqItem = {
    id: 'a', benchmark: 'synthetic', images: [{ kind: 'bytes', bytes: png, name: 'a.png' }], question: 'item what shape', options: SHAPES,
    answer: 'C', answerWord: 'star', category: 'chase-3', roi: box(1), rois: HOPS.map(box), hops: 3,
  };
  const base = { tokenizer: tok, preprocess: { patchSize: 8, mergeSize: 2, minPixels: 64 * 64, maxPixels: 64 * 64 }, method: 'lvr' as const };
  const opts = { strategy: { kind: 'fixed' as const, steps: 3, forceEnd: true }, seed: 1 };

  it('hidden (default) feeds the latents; pointer-argmax feeds the pointed visual tokens and records the hops; pause feeds its table', async () => {
    const hidden = await evaluateItems({ ...base, stepModel: stub() }, [item], opts);
    expect(hidden.latents.get('a')!.map((v) => v[1])).toEqual([1.1, 0.1, 0.1].map(Math.fround));
    expect(hidden.records[0]!.correct).toBe(true);

    const model: EvalModel = { ...base, stepModel: stub(), feedback: 'pointer-argmax' };
    const pointer = await evaluateItems(model, [item], opts);
    expect(pointer.traces.get('a')!.latentSpans[0]!.pointer).toEqual(HOPS);
    expect(pointer.latents.get('a')!.map((v) => [...v].indexOf(2))).toEqual(HOPS); // the tokens 2·e_hop were fed
    expect(pointer.records[0]!.correct).toBe(true);
    // a probe still replaces what the feedback chose
    const zeros = await evaluateItems(model, [item], { ...opts, probe: 'zeros' });
    expect(zeros.latents.get('a')!.every((v) => v.every((x) => x === 0))).toBe(true);

    const table = new Float32Array(2 * D);
    table[0 * D + 12] = 1;
    table[1 * D + 3] = 1; // rows name cells 12, 3, 3 → the answer is SHAPES[3] (triangle), wrong
    const pause = await evaluateItems({ ...base, stepModel: stub(), feedback: { kind: 'pause', table } }, [item], opts);
    expect(pause.latents.get('a')!.map(argmax)).toEqual([12, 3, 3]);
    expect(pause.records[0]!.correct).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { LvrTokenizer, addLvrTokens, createWordLevelTokenizerJson, encodePng } from '@lvr/data';
import { ScriptedStepModel } from '@lvr/decoding/testing';
import type { McqItem } from '../item.js';
import { evaluateItems, type EvalModel } from './evaluate.js';

/** The runner loads item images through @lvr/data's decode limits, and `EvaluateOptions.imageDecode` sets them. */
const tok = LvrTokenizer.fromJson(addLvrTokens(createWordLevelTokenizerJson({ words: ['what', 'red', 'blue'], extraSpecialTokens: ['<answer>', '</answer>'] })));
const model = (): EvalModel => ({
  stepModel: new ScriptedStepModel({
    scripts: () => [], vocabSize: tok.vocabSize, hiddenSize: 4,
    tokens: { eosId: tok.special.eos, padId: tok.special.pad, lvrStartId: tok.special.lvrStart!, lvrId: tok.special.lvr!, lvrLatentEndId: tok.special.lvrLatentEnd!, lvrEndId: tok.special.lvrEnd!, latentIds: [] },
  }),
  tokenizer: tok,
  preprocess: { patchSize: 8, mergeSize: 2, minPixels: 32 * 32, maxPixels: 32 * 32 },
  method: 'sft',
});
const item = (bytes: Uint8Array, name: string): McqItem => ({
  id: name, benchmark: 'synthetic', images: [{ kind: 'bytes', bytes, name }], question: 'what', options: ['red', 'blue'], answer: 'A', answerWord: 'red', category: 'colour',
});

describe('evaluateItems image decode limits', async () => {
  const png = await encodePng({ width: 32, height: 32, data: new Uint8Array(32 * 32 * 3).fill(90) });

  it('evaluates a normal image, and refuses it under a lower maxInputPixels naming the image', async () => {
    const { records } = await evaluateItems(model(), [item(png, 'ok.png')], { maxNewTokens: 4 });
    expect(records.map((r) => r.id)).toEqual(['ok.png']);
    await expect(evaluateItems(model(), [item(png, 'ok.png')], { maxNewTokens: 4, imageDecode: { maxInputPixels: 1023 } })).rejects.toMatchObject({
      code: 'IMAGE_INVALID',
      message: 'image ok.png is 32×32 (1024 px), over the decode limit of 1023 px (maxInputPixels)',
    });
  });

  it('refuses an SVG item image unless imageDecode.allowVector', async () => {
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32" fill="red"/></svg>');
    await expect(evaluateItems(model(), [item(svg, 'bomb.svg')], { maxNewTokens: 4 })).rejects.toMatchObject({
      code: 'IMAGE_INVALID',
      message: expect.stringContaining('image bomb.svg is SVG (a vector format)'),
    });
    const { records } = await evaluateItems(model(), [item(svg, 'bomb.svg')], { maxNewTokens: 4, imageDecode: { allowVector: true } });
    expect(records).toHaveLength(1);
  });
});

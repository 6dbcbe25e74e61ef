import { describe, expect, it } from 'vitest';
import { LvrTokenizer } from '../tokenizer/tokenizer.js';
import { addLivrLatentTokens, addLvrTokens } from '../tokenizer/add-tokens.js';
import { createWordLevelTokenizerJson } from '../tokenizer/word-level.js';
import { SYSTEM_MESSAGE } from '../tokenizer/special-tokens.js';
import { buildLvrSftSequence } from './lvr-sequence.js';
import { buildLivrSequence } from './livr-sequence.js';
import { buildPromptIds } from './prompt.js';

const tokenizer = LvrTokenizer.fromJson(addLivrLatentTokens(addLvrTokens(createWordLevelTokenizerJson({
  words: ['what', 'colour', 'is', 'it', 'red', ...SYSTEM_MESSAGE.toLowerCase().replace('.', '').split(' ')],
  extraSpecialTokens: ['<answer>', '</answer>'],
})), 4));

describe('buildPromptIds', () => {
  const question = '<image>\nwhat colour is it ?';
  it('is exactly the prefix of the SFT / LVR training sequence up to the assistant turn', () => {
    const seq = buildLvrSftSequence([{ from: 'human', value: question }, { from: 'gpt', value: '<lvr>\n<answer> red </answer>' }], { tokenizer, imageTokenCounts: [4], lvrGroups: [[0, 1]] });
    const p = buildPromptIds({ tokenizer, question, imageTokenCounts: [4] });
    expect(Array.from(seq.inputIds.slice(0, p.length))).toEqual(Array.from(p));
    expect(seq.inputIds[p.length]).toBe(tokenizer.special.lvrStart);
  });
  it('with numLatents is exactly the prefix of the LIVR training sequence', () => {
    const seq = buildLivrSequence({ tokenizer, question, answer: '<answer> red </answer>', imageTokenCounts: [4], numLatents: 4 });
    const p = buildPromptIds({ tokenizer, question, imageTokenCounts: [4], numLatents: 4 });
    expect(Array.from(seq.inputIds.slice(0, p.length))).toEqual(Array.from(p));
    expect(p.length).toBe(seq.spans.target.start);
  });
  it('rejects a bad latent count', () => {
    expect(() => buildPromptIds({ tokenizer, question, imageTokenCounts: [4], numLatents: -1 })).toThrow(/numLatents/);
    expect(() => buildPromptIds({ tokenizer, question, imageTokenCounts: [4], numLatents: 9 })).toThrow();
  });
});

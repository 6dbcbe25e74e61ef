import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { addLvrTokens } from './add-tokens.js';
import { createQwenLikeTokenizerJson } from './qwen-like.js';
import { LvrTokenizer, MAX_VOCAB_SIZE } from './tokenizer.js';
import { createWordLevelTokenizerJson } from './word-level.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isLvrError(e) ? e.code : 'not-an-LvrError';
  }
  return undefined;
}

describe('LvrTokenizer', () => {
  const wordJson = createWordLevelTokenizerJson({ words: ['hello', 'world'] });

  it('exposes the special token ids and the vocab size (max id + 1)', () => {
    const tok = LvrTokenizer.fromJson(wordJson);
    expect(tok.special).toMatchObject({ pad: 0, imStart: 1, imEnd: 2, eos: 2, visionStart: 3, visionEnd: 4, imagePad: 5, videoPad: 6 });
    expect(tok.special.lvrStart).toBe(8);
    expect(tok.special.livrLatents).toEqual([]);
    const vocab = (wordJson['model'] as { vocab: Record<string, number> }).vocab;
    expect(tok.vocabSize).toBe(Math.max(...Object.values(vocab)) + 1);
    expect(tok.json).toMatchObject({ model: { type: 'WordPiece' } });
  });

  it('encodes without adding special tokens and decodes back', () => {
    const tok = LvrTokenizer.fromJson(addLvrTokens(createQwenLikeTokenizerJson()));
    const text = '<|im_start|>user\nHello, wörld!<|im_end|>\n';
    const ids = tok.encode(text);
    expect(ids[0]).toBe(tok.special.imStart);
    expect(ids.at(-2)).toBe(tok.special.imEnd);
    expect(tok.decode(ids)).toBe(text);
    expect(tok.decode(Int32Array.from(ids), { skipSpecialTokens: true })).toBe('user\nHello, wörld!\n');
    expect(tok.encode('')).toEqual([]);
    expect(tok.decode([])).toBe('');
  });

  it('tokenToId / idToToken / required lookups', () => {
    const tok = LvrTokenizer.fromJson(wordJson);
    expect(tok.tokenToId('hello')).toBeTypeOf('number');
    expect(tok.idToToken(tok.tokenToId('hello', { required: true }))).toBe('hello');
    expect(tok.tokenToId('nope')).toBeUndefined();
    expect(tok.idToToken(10_000)).toBeUndefined();
    expect(codeOf(() => tok.tokenToId('nope', { required: true }))).toBe('TOKENIZER');
    expect(codeOf(() => tok.decode([10_000]))).toBe('TOKENIZER');
  });

  it('requireLvr tells the user to call addLvrTokens', () => {
    const tok = LvrTokenizer.fromJson(createQwenLikeTokenizerJson());
    expect(() => tok.requireLvr()).toThrow(/addLvrTokens/);
    expect(codeOf(() => tok.requireLvr())).toBe('TOKENIZER');
    expect(() => tok.requireLivrLatents(16)).toThrow(/addLivrLatentTokens\(tokenizerJson, 16\)/);
    expect(tok.requireLivrLatents(0)).toEqual([]);
  });

  it('rejects unsupported models, malformed json and tokenizers without the Qwen tokens', () => {
    const wordLevel = { added_tokens: [], model: { type: 'WordLevel', vocab: { a: 0 }, unk_token: 'a' } };
    expect(() => LvrTokenizer.fromJson(wordLevel, {}, 'x/tokenizer.json')).toThrow(/x\/tokenizer\.json: unsupported tokenizer model type "WordLevel"/);
    expect(codeOf(() => LvrTokenizer.fromJson([] as unknown as Record<string, unknown>))).toBe('TOKENIZER');
    expect(codeOf(() => LvrTokenizer.fromJson({ model: { type: 'BPE' } }))).toBe('TOKENIZER');
    const noQwen = { ...createQwenLikeTokenizerJson(), added_tokens: [] };
    expect(() => LvrTokenizer.fromJson(noQwen)).toThrow(/lacks the Qwen chat \/ vision tokens <\|endoftext\|>/);
  });

  it('rejects a vocabulary id outside [0, maxVocabSize) before building (2^31 would spin for minutes)', () => {
    const model = wordJson['model'] as { vocab: Record<string, number> };
    const withId = (id: number): Record<string, unknown> => ({ ...wordJson, model: { ...model, vocab: { ...model.vocab, far: id } } });
    for (const id of [MAX_VOCAB_SIZE, -1, 1.5, 2 ** 31]) {
      expect(() => LvrTokenizer.fromJson(withId(id), {}, 'x/tokenizer.json')).toThrow(
        expect.objectContaining({ code: 'TOKENIZER', message: `x/tokenizer.json: model.vocab token "far" has id ${id}; ids must be integers in [0, ${MAX_VOCAB_SIZE}) (MAX_VOCAB_SIZE)` }),
      );
    }
    const added = wordJson['added_tokens'] as { id: number }[];
    const farAdded = { ...wordJson, added_tokens: [...added.slice(0, -1), { ...added[added.length - 1]!, id: 2 ** 31 }] };
    expect(() => LvrTokenizer.fromJson(farAdded)).toThrow(`added_tokens[${added.length - 1}] has id 2147483648`);
    // the caller's bound (a model's vocab_size)
    const size = LvrTokenizer.fromJson(wordJson).vocabSize;
    expect(LvrTokenizer.fromJson(withId(size + 100), {}, 't', size + 101).vocabSize).toBe(size + 101);
    expect(() => LvrTokenizer.fromJson(withId(size + 100), {}, 't', size + 100)).toThrow(`ids must be integers in [0, ${size + 100}) (the model's vocab_size)`);
  });

  it('rejects a BPE that would silently drop characters (no unk, no byte fallback, incomplete byte alphabet)', () => {
    const json = createQwenLikeTokenizerJson();
    const model = json['model'] as { vocab: Record<string, number> };
    const vocab = { ...model.vocab };
    delete vocab['a'];
    expect(() => LvrTokenizer.fromJson({ ...json, model: { ...model, vocab } })).toThrow(/lacks 1 of the 256 byte-level symbols/);
    expect(() => LvrTokenizer.fromJson({ ...json, pre_tokenizer: null })).toThrow(/is not byte-level/);
    // with an unknown token the same vocabulary is fine: unknown pieces become <unk>, never dropped
    const withUnk = { ...json, model: { ...model, vocab: { ...vocab, '<unk>': 256 }, unk_token: '<unk>' } };
    const tok = LvrTokenizer.fromJson(withUnk);
    expect(tok.encode('abc')).toEqual([256, 98, 99]);
  });

  describe('fromFile', () => {
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'lvr-tok-'));
      await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(wordJson));
      await mkdir(join(dir, 'ckpt'));
      await writeFile(join(dir, 'ckpt', 'tokenizer.json'), JSON.stringify(addLvrTokens(createQwenLikeTokenizerJson())));
      await writeFile(join(dir, 'ckpt', 'tokenizer_config.json'), JSON.stringify({ clean_up_tokenization_spaces: true }));
      await writeFile(join(dir, 'bad.json'), '{ "model": ');
      await writeFile(join(dir, 'array.json'), '[1, 2]');
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('loads a tokenizer.json file', async () => {
      const tok = await LvrTokenizer.fromFile(join(dir, 'tokenizer.json'));
      expect(tok.decode(tok.encode('hello world'))).toBe('hello world');
    });

    it('loads a directory with tokenizer.json and tokenizer_config.json', async () => {
      const tok = await LvrTokenizer.fromFile(join(dir, 'ckpt'));
      expect(tok.requireLvr().lvrEnd).toBe(151668);
      // clean_up_tokenization_spaces from the config is honoured (" ." → ".")
      expect(tok.decode(tok.encode('a . b'))).toBe('a. b');
    });

    it('names the file for invalid JSON, non-object JSON and missing files', async () => {
      await expect(LvrTokenizer.fromFile(join(dir, 'bad.json'))).rejects.toMatchObject({
        code: 'TOKENIZER',
        message: expect.stringContaining('bad.json is not valid JSON'),
      });
      await expect(LvrTokenizer.fromFile(join(dir, 'array.json'))).rejects.toMatchObject({ code: 'TOKENIZER' });
      await expect(LvrTokenizer.fromFile(join(dir, 'missing.json'))).rejects.toMatchObject({
        code: 'IO_ERROR',
        message: expect.stringContaining('missing.json'),
      });
    });
  });
});

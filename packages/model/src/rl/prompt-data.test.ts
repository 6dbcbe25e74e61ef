import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LvrTokenizer, addLivrLatentTokens, generateSuite, writeGrpoDataset } from '@lvr/data';
import { readFile } from 'node:fs/promises';
import { modelConfigFor } from '../recipes/model-config.js';
import { MODEL_SIZES } from '../recipes/sizes.js';
import { prepareRolloutPrompts, readGrpoPrompts } from './prompt-data.js';

let dir = '';
let suite = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-rl-data-'));
  suite = join(dir, 'suite');
  await generateSuite({ outDir: suite, seed: 2, trainCount: 4, testCount: 4 });
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('RL prompts', () => {
  it('suite train split: questions without <image>, word answers in tags', async () => {
    const r = await readGrpoPrompts({ data: suite });
    expect(r).toHaveLength(4);
    for (const x of r) {
      expect(x.question).not.toContain('<image>');
      expect(x.solution).toMatch(/^<answer> \S+ <\/answer>$/);
      expect(x.image.startsWith(suite)).toBe(true);
    }
  });

  it('suite test split: options and the answer letter for the choice reward', async () => {
    const r = await readGrpoPrompts({ data: suite, split: 'test' });
    expect(r).toHaveLength(4);
    for (const x of r) {
      const k = (x.answerLetter as string).charCodeAt(0) - 65;
      expect(x.solution).toBe(`<answer> ${x.options![k]} </answer>`);
    }
  });

  it('GRPO JSON (reference §2.2) and prompt ids with the image tokens', async () => {
    const train = await readGrpoPrompts({ data: suite });
    const file = join(suite, 'grpo.json');
    await writeGrpoDataset(file, train.map((t, index) => ({ index, id: t.id, image: t.image, question: t.question, answer: t.solution, extra: {} })), { imageFolder: suite });
    const back = await readGrpoPrompts({ data: file });
    expect(back.map((b) => [b.id, b.image, b.question, b.solution])).toEqual(train.map((t) => [t.id, t.image, t.question, t.solution]));
    const tokJson = addLivrLatentTokens(JSON.parse(await readFile(join(suite, 'tokenizer.json'), 'utf8')) as Record<string, unknown>, 2);
    const tok = LvrTokenizer.fromJson(tokJson);
    const cfg = modelConfigFor(MODEL_SIZES.tiny, tok);
    const [p] = await prepareRolloutPrompts(cfg, tok, back.slice(0, 1));
    const pads = Array.from(p!.prompt.inputIds).filter((id) => id === cfg.tokens.imagePadId).length;
    const g = p!.prompt.images![0]!.gridThw;
    expect(pads).toBe((g.t * g.h * g.w) / 4);
    expect(tok.decode(p!.prompt.inputIds)).toContain(`<|vision_end|>${back[0]!.question.split(' ')[0]!}`);
    expect(p!.sample.solution).toBe(back[0]!.solution);
  });

  it('missing data is an IO_ERROR naming the path', async () => {
    await expect(readGrpoPrompts({ data: join(dir, 'nope') })).rejects.toThrow(/nope/);
  });
});

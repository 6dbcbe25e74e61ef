import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWordLevelTokenizerJson, IMAGE_PAD_TOKEN, VISION_START_TOKEN } from '@lvr/data';
import { initBackend } from '../backend.js';
import { initBase } from './init-base.js';
import { loadModel, TRAINING_INFO_FILE } from './model-io.js';

let root = '';
let n = 0;
beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'lvr-model-io-'));
  await initBase({ tokenizerJson: createWordLevelTokenizerJson({ words: ['red', 'blue'] }), outDir: join(root, 'base'), size: 'tiny', numLatents: 2 });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

type Json = Record<string, unknown>;

/** A copy of the intact folder with one file's JSON changed by `edit`. */
async function variant(file: string, edit: (json: Json) => Json): Promise<string> {
  const dir = join(root, `v${n++}`);
  await cp(join(root, 'base'), dir, { recursive: true });
  const json = JSON.parse(await readFile(join(dir, file), 'utf8')) as Json;
  await writeFile(join(dir, file), JSON.stringify(edit(json)));
  return dir;
}

describe('loadModel checks the folder before building the model', () => {
  it('loads the intact folder', async () => {
    const { model, training } = await loadModel(join(root, 'base'));
    expect(training?.mode).toBe('base');
    model.dispose();
  });

  it('rejects a tokenizer whose special-token ids disagree with config.json (<|image_pad|> and <|vision_start|> swapped)', async () => {
    const dir = await variant('tokenizer.json', (json) => {
      const added = json['added_tokens'] as { id: number; content: string }[];
      const pad = added.find((t) => t.content === IMAGE_PAD_TOKEN)!;
      const start = added.find((t) => t.content === VISION_START_TOKEN)!;
      [pad.id, start.id] = [start.id, pad.id];
      return json;
    });
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Json;
    await expect(loadModel(dir)).rejects.toMatchObject({
      code: 'CHECKPOINT',
      message:
        `${dir}: config.json and tokenizer.json disagree: ` +
        `image_token_id is ${config['image_token_id']} but <|image_pad|> is ${config['vision_start_token_id']}; ` +
        `vision_start_token_id is ${config['vision_start_token_id']} but <|vision_start|> is ${config['image_token_id']}`,
    });
  });

  it('rejects latent_token_ids of the wrong type and ids that are not the tokenizer\'s latents', async () => {
    for (const bad of ['12,13', [12.5, 13], null, [-1]]) {
      const dir = await variant('config.json', (json) => ({ ...json, latent_token_ids: bad }));
      await expect(loadModel(dir)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/config\.json: latent_token_ids(\[0\])? must be (an array of token ids|an integer in 0\.\.)/) });
    }
    const dir = await variant('config.json', (json) => ({ ...json, latent_token_ids: [...(json['latent_token_ids'] as number[])].reverse() }));
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'CHECKPOINT', message: expect.stringMatching(/disagree: latent_token_ids is \[\d+, \d+\] but the <\|latent_k\|> tokens are/) });
  });

  it('rejects an unknown lvr_training.json mode', async () => {
    for (const [info, got] of [[{ mode: 'grpo' }, '"grpo"'], [{ steps: 3 }, 'nothing (missing)']] as const) {
      const dir = await variant(TRAINING_INFO_FILE, () => info);
      await expect(loadModel(dir)).rejects.toMatchObject({
        code: 'CHECKPOINT',
        message: `${join(dir, TRAINING_INFO_FILE)}: mode must be one of base | sft | lvr | livr | rl, got ${got}`,
      });
    }
  });

  it('bounds tokenizer ids by config.json\'s vocab_size before building the tokenizer (an id of 2^31)', async () => {
    const dir = await variant('tokenizer.json', (json) => {
      const model = json['model'] as { vocab: Record<string, number> };
      return { ...json, model: { ...model, vocab: { ...model.vocab, far: 2 ** 31 } } };
    });
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'TOKENIZER', message: expect.stringMatching(/"far" has id 2147483648; ids must be integers in \[0, \d+\) \(the model's vocab_size\)/) });
  });
});

describe('loadModel validates config.json and the tensor shapes before allocating', () => {
  it.each([
    ['a LoRA target that is not a string', (j: Json) => ({ ...j, lora: { r: 2, lora_alpha: 4, target_modules: [1] } }), 'lora.target_modules[0] must be one of q_proj | k_proj | v_proj | o_proj | q | k | v | o, got 1'],
    ['hidden_size 2^40', (j: Json) => ({ ...j, hidden_size: 2 ** 40 }), 'hidden_size must be an integer in 1..65536, got 1099511627776'],
    ['intermediate_size 1e308', (j: Json) => ({ ...j, intermediate_size: 1e308 }), 'intermediate_size must be an integer in 1..1048576, got 1e+308'],
    ['num_hidden_layers 1e308', (j: Json) => ({ ...j, num_hidden_layers: 1e308 }), 'num_hidden_layers must be an integer in 1..1024, got 1e+308'],
  ])('rejects %s with CONFIG_INVALID naming the file and field', async (_name, edit, message) => {
    const dir = await variant('config.json', edit);
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: `${join(dir, 'config.json')}: ${message}`, details: { file: join(dir, 'config.json') } });
  });

  it('rejects a checkpoint whose tensor shapes disagree with config.json before creating any tensor', async () => {
    const dir = await variant('config.json', (j) => ({ ...j, intermediate_size: (j['intermediate_size'] as number) + 8 }));
    const { intermediate_size: inter, hidden_size: d } = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, number>;
    const engine = tf.engine();
    const made = [vi.spyOn(engine, 'makeTensor'), vi.spyOn(engine, 'makeVariable')];
    let error: unknown;
    let calls: number[] = [];
    try {
      await loadModel(dir);
    } catch (e) {
      error = e;
    } finally {
      calls = made.map((spy) => spy.mock.calls.length);
      for (const spy of made) spy.mockRestore();
    }
    expect(error).toMatchObject({
      code: 'CHECKPOINT',
      message: expect.stringContaining(`${join(dir, 'model.safetensors')}: "model.layers.0.mlp.gate_proj.weight" has shape [${inter! - 8}, ${d}], but config.json implies [${inter}, ${d}]`),
      details: { mismatched: expect.arrayContaining(['model.layers.0.mlp.up_proj.weight']) },
    });
    expect(calls).toEqual([0, 0]); // no tensor and no variable was created
  });
});

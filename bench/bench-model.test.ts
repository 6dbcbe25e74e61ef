import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_SIZES, initBackend, loadModel } from '@lvr/model';
import { benchTokenizerAndConfig, ensureBenchModel } from './bench-model.js';

let dir = '';
beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'lvr-bench-model-'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('ensureBenchModel', () => {
  it('writes a demo-size model folder and its ONNX export once, then reuses them', async () => {
    const { config } = benchTokenizerAndConfig();
    expect([config.hiddenSize, config.numLayers, config.vision.hiddenSize]).toEqual([MODEL_SIZES.demo.hiddenSize, MODEL_SIZES.demo.numLayers, 64]);
    const a = await ensureBenchModel(dir);
    expect(a.reused).toBe(false);
    const { model, tokenizer } = await loadModel(a.modelDir);
    expect(model.config.vocabSize).toBe(config.vocabSize);
    expect(tokenizer.special.livrLatents).toHaveLength(16);
    model.dispose();
    const onnx = JSON.parse(await readFile(join(a.onnxDir, 'config.json'), 'utf8')) as { hidden_size: number };
    expect(onnx.hidden_size).toBe(64);
    const mtime = (await stat(join(a.modelDir, 'model.safetensors'))).mtimeMs;
    const b = await ensureBenchModel(dir);
    expect(b).toEqual({ ...a, reused: true });
    expect((await stat(join(a.modelDir, 'model.safetensors'))).mtimeMs).toBe(mtime);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, type GenerateResult, type LatentFeedbackConfig, type StepModel } from '@lvr/decoding';
import { initBackend } from '../backend.js';
import { resolveModelConfig, type ModelConfig } from '../config.js';
import { modelLatentFeedback } from '../inference/latent-feedback-config.js';
import { TfjsStepModel } from '../inference/tfjs-step-model.js';
import { MiniQwenVL } from '../models/vlm.js';
import { loadModel, saveModel } from '../recipes/model-io.js';
import { maxAbsDiff } from '../testing.js';
import { ONNX_FILES } from './contract.js';
import { exportOnnx } from './export.js';
import { readOnnxFolder } from './folder.js';
import { OrtStepModel } from './ort-step-model.js';
import { onnxTestConfig, onnxTestTokenizerJson, promptWithImage, randomImage } from './testing.js';

const tok = onnxTestTokenizerJson();
let root = '';
let c: Readonly<ModelConfig>;
let model: MiniQwenVL;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'lvr-onnx-feedback-'));
  const base = onnxTestConfig(tok, { numLayers: 2 });
  c = resolveModelConfig({ ...base, lvr: { ...base.lvr, pauseTokens: 2 } });
  model = MiniQwenVL.create(c, { seed: 21 });
});

afterAll(async () => {
  model?.dispose();
  await rm(root, { recursive: true, force: true });
});

/** Saves the model with a feedback kind, exports it; returns both folders' feedback configs and the ONNX dir. */
async function folders(kind: string): Promise<{ ckpt: string; onnx: string; tfjsFeedback: LatentFeedbackConfig; onnxFeedback: LatentFeedbackConfig }> {
  const ckpt = join(root, `${kind}-ckpt`);
  await saveModel(ckpt, model, tok, { mode: 'lvr', latent_feedback: kind as never });
  const onnx = join(root, kind);
  await exportOnnx(ckpt, onnx);
  const loaded = await loadModel(ckpt);
  const tfjsFeedback = modelLatentFeedback(loaded.model, loaded.latentFeedback, ckpt);
  loaded.model.dispose();
  return { ckpt, onnx, tfjsFeedback, onnxFeedback: (await readOnnxFolder(onnx)).latentFeedback };
}

async function run(sm: StepModel, feedback: LatentFeedbackConfig): Promise<GenerateResult[]> {
  const w = (s: string): number => (tok.model as { vocab: Record<string, number> }).vocab[s] as number;
  const rows = [
    { inputIds: promptWithImage(c, [w('what'), w('is')], 4, [w('the'), w('colour'), c.tokens.lvrStartId]), images: [randomImage(c, 1, { t: 1, h: 4, w: 4 })] },
    { inputIds: promptWithImage(c, [w('red')], 2, [c.tokens.lvrStartId]), images: [randomImage(c, 2, { t: 1, h: 2, w: 4 })] },
  ];
  return generate(sm, rows.map((prompt) => ({ prompt })), {
    strategy: { kind: 'fixed', steps: 3, forceEnd: true }, feedback, sampler: { kind: 'greedy' }, maxNewTokens: 8, seed: 0,
    suppressIds: [c.tokens.padId, c.tokens.imagePadId, c.tokens.visionStartId, c.tokens.visionEndId],
  });
}

describe('latent feedback: model folders and tfjs ↔ ONNX Runtime parity', () => {
  it('the kind and the pause table travel from lvr_training.json / model.safetensors into the ONNX folder', async () => {
    const pause = await folders('pause');
    const table = (pause.tfjsFeedback as { table: Float32Array }).table;
    expect(pause.tfjsFeedback.kind).toBe('pause');
    expect(table).toHaveLength(2 * c.hiddenSize);
    expect(pause.onnxFeedback).toEqual({ kind: 'pause', table });
    const files = (await readOnnxFolder(pause.onnx)).training;
    expect(files?.latent_feedback).toBe('pause');
    expect((await folders('pointer-mix')).onnxFeedback).toEqual({ kind: 'pointer-mix' });
    // no latent_feedback field → hidden; an unknown one → CONFIG_INVALID naming the file
    const plain = join(root, 'plain');
    await exportOnnx(pause.ckpt, plain);
    await writeFile(join(plain, ONNX_FILES.training), JSON.stringify({ mode: 'lvr' }));
    expect((await readOnnxFolder(plain)).latentFeedback).toEqual({ kind: 'hidden' });
    await writeFile(join(plain, ONNX_FILES.training), JSON.stringify({ mode: 'lvr', latent_feedback: 'nearest' }));
    await expect(readOnnxFolder(plain)).rejects.toThrow(/lvr_training.json: "latent_feedback" must be/);
    await rm(join(plain, ONNX_FILES.pause));
    await expect(readOnnxFolder(plain)).rejects.toThrow(/pause_embeddings.safetensors/);
  });

  for (const kind of ['pointer-argmax', 'pause'] as const) {
    it(`${kind}: the same greedy answer, pointers and fed vectors on both backends`, async () => {
      const f = await folders(kind);
      const ort = await OrtStepModel.create(f.onnx, { intraOpNumThreads: 1 });
      try {
        const a = await run(new TfjsStepModel(model), f.tfjsFeedback);
        const b = await run(ort, f.onnxFeedback);
        expect(a.map((r) => r.latentSpans[0]?.steps)).toEqual([3, 3]);
        expect(b.map((r) => r.outputIds)).toEqual(a.map((r) => r.outputIds));
        expect(b.map((r) => r.latentSpans.map((s) => s.pointer))).toEqual(a.map((r) => r.latentSpans.map((s) => s.pointer)));
        if (kind === 'pointer-argmax') expect(a.flatMap((r) => r.latentSpans.flatMap((s) => s.pointer ?? [])).length).toBeGreaterThanOrEqual(6);
        const fedA = a.flatMap((r) => r.latentSpans.flatMap((s) => s.vectors));
        const fedB = b.flatMap((r) => r.latentSpans.flatMap((s) => s.vectors));
        expect(fedA.length).toBeGreaterThanOrEqual(6);
        expect(fedB).toHaveLength(fedA.length);
        fedA.forEach((v, i) => expect(maxAbsDiff(v, fedB[i]!)).toBeLessThan(1e-4));
      } finally {
        await ort.dispose();
      }
    });
  }
});

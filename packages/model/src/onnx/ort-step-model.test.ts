import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { DEFAULT_CHAT_TEMPLATE } from '@lvr/data';
import { generate, type GenerateResult, type PrefillRow, type StepInput, type StepModel, type StepOutput } from '@lvr/decoding';
import { initBackend } from '../backend.js';
import { configToJson, type ModelConfig } from '../config.js';
import { TfjsStepModel } from '../inference/tfjs-step-model.js';
import { MiniQwenVL } from '../models/vlm.js';
import { loadModel, saveModel, type TrainingInfo } from '../recipes/model-io.js';
import { preprocessFor } from '../recipes/pretrain-data.js';
import { maxAbsDiff } from '../testing.js';
import { ONNX_FILES } from './contract.js';
import { exportOnnx } from './export.js';
import { readOnnxFolder } from './folder.js';
import { OrtStepModel } from './ort-step-model.js';
import { onnxTestConfig, onnxTestTokenizerJson, promptWithImage, randomImage } from './testing.js';

const TOL = 1e-4;
let root = '';
const tok = onnxTestTokenizerJson();

/** Saves a random model as a checkpoint and exports it; returns the tfjs model and the ONNX folder. */
async function exported(name: string, config: Readonly<ModelConfig>, seed: number, training?: TrainingInfo): Promise<{ model: MiniQwenVL; dir: string }> {
  const model = MiniQwenVL.create(config, { seed });
  await saveModel(join(root, `${name}-ckpt`), model, tok, training);
  const dir = join(root, name);
  await exportOnnx(join(root, `${name}-ckpt`), dir);
  return { model, dir };
}

async function expectLvrError(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(isLvrError(e), String(e)).toBe(true);
  expect((e as { code: string }).code).toBe(code);
  expect((e as Error).message).toMatch(message);
}

let base: { model: MiniQwenVL; dir: string };
let c: Readonly<ModelConfig>;
let tfjs: TfjsStepModel;
let ort: OrtStepModel;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'lvr-onnx-'));
  base = await exported('base', onnxTestConfig(tok, { numLayers: 2 }), 11, { mode: 'livr', numLatents: 4 });
  c = base.model.config;
  tfjs = new TfjsStepModel(base.model);
  ort = await OrtStepModel.create(base.dir, { intraOpNumThreads: 1 });
});

afterAll(async () => {
  await ort?.dispose();
  base?.model.dispose();
  await rm(root, { recursive: true, force: true });
});

/** Two rows with different prompt lengths and image grids (left padding, M-RoPE image positions). */
function rows(): { inputIds: Int32Array; images: ReturnType<typeof randomImage>[] }[] {
  const w = (s: string): number => (tok.model as { vocab: Record<string, number> }).vocab[s] as number;
  return [
    { inputIds: promptWithImage(c, [w('what'), w('is')], 4, [w('the'), w('colour'), c.tokens.lvrStartId]), images: [randomImage(c, 1, { t: 1, h: 4, w: 4 })] },
    { inputIds: promptWithImage(c, [w('red')], 2, [c.tokens.lvrStartId]), images: [randomImage(c, 2, { t: 1, h: 2, w: 4 })] },
  ];
}

function compare(a: StepOutput, b: StepOutput): number {
  const d = Math.max(maxAbsDiff(a.logits, b.logits), maxAbsDiff(a.hidden, b.hidden), maxAbsDiff(a.latent, b.latent));
  expect(d).toBeLessThan(TOL);
  return d;
}

describe('exportOnnx', () => {
  it('writes the model folder contract: config, tokenizer, preprocessor config and the three graphs', async () => {
    const folder = await readOnnxFolder(base.dir);
    expect(JSON.parse(await readFile(join(base.dir, ONNX_FILES.config), 'utf8'))).toEqual(configToJson(c));
    expect(folder.tokenizerJson).toEqual(tok);
    expect(folder.training).toEqual({ mode: 'livr', numLatents: 4 }); // carried over from the checkpoint
    const pre = JSON.parse(await readFile(join(base.dir, ONNX_FILES.preprocessor), 'utf8')) as Record<string, unknown>;
    expect(pre).toMatchObject({ patch_size: 8, temporal_patch_size: 2, merge_size: 2, image_processor_type: 'Qwen2VLImageProcessor' });
    const p = preprocessFor(c);
    expect(folder.preprocess).toMatchObject({ patchSize: p.patchSize, mergeSize: p.mergeSize, minPixels: p.minPixels, maxPixels: p.maxPixels, mean: [...p.mean], std: [...p.std] });
    for (const f of [ONNX_FILES.embed, ONNX_FILES.vision, ONNX_FILES.decoder]) expect((await readFile(join(base.dir, f))).byteLength).toBeGreaterThan(1000);
    await expect(readFile(join(base.dir, ONNX_FILES.lvrHead))).rejects.toThrow(/ENOENT/);
  });

  it('writes a chat template into tokenizer_config.json: the source folder\'s, else the default ChatML one', async () => {
    const written = JSON.parse(await readFile(join(base.dir, ONNX_FILES.tokenizerConfig), 'utf8')) as Record<string, unknown>;
    expect(written['chat_template']).toBe(DEFAULT_CHAT_TEMPLATE);
    expect((await readOnnxFolder(base.dir)).tokenizer.chatTemplate).toBe(DEFAULT_CHAT_TEMPLATE);
    const custom = "{%- for m in messages -%}{{- m['role'] -}}{%- endfor -%}";
    const ckpt = join(root, 'templated-ckpt');
    const model = MiniQwenVL.create(c, { seed: 3 });
    try {
      await saveModel(ckpt, model, tok);
    } finally {
      model.dispose();
    }
    await writeFile(join(ckpt, 'tokenizer_config.json'), JSON.stringify({ chat_template: custom }));
    const loaded = await loadModel(ckpt);
    loaded.model.dispose();
    expect(loaded.tokenizer.chatTemplate).toBe(custom);
    await exportOnnx(ckpt, join(root, 'templated'));
    expect((await readOnnxFolder(join(root, 'templated'))).tokenizer.chatTemplate).toBe(custom);
  });

  const python = spawnSync('/usr/bin/python3', ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!python)('the exported graphs pass onnx.checker (full check, python3-onnx)', () => {
    const files = [ONNX_FILES.embed, ONNX_FILES.vision, ONNX_FILES.decoder].map((f) => join(base.dir, f));
    const r = spawnSync('/usr/bin/python3', ['-c', 'import onnx, sys\nfor f in sys.argv[1:]: onnx.checker.check_model(onnx.load(f), full_check=True)\nprint("ok")', ...files], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('ok');
  });
});

describe('OrtStepModel parity with TfjsStepModel', () => {
  it('prefill + token and embedding steps on a left-padded batch of 2: logits, hidden and latent within 1e-4', async () => {
    expect(ort.backend).toBe('onnxruntime-node');
    expect([ort.hiddenSize, ort.vocabSize]).toEqual([tfjs.hiddenSize, tfjs.vocabSize]);
    expect(ort.tokens).toEqual(tfjs.tokens);
    const pa = await tfjs.prefill(rows());
    const pb = await ort.prefill(rows());
    expect([pb.cache.batchSize, pb.cache.length]).toEqual([pa.cache.batchSize, pa.cache.length]);
    compare(pa, pb);
    let prevA: StepOutput = pa;
    let prevB: StepOutput = pb;
    const H = c.hiddenSize;
    const plan: ('t' | 'e')[][] = [['t', 't'], ['e', 't'], ['e', 'e'], ['t', 'e'], ['t', 't']];
    for (const [k, kinds] of plan.entries()) {
      // Embedding rows feed the tfjs latent to both models (the fed vectors are identical).
      const inputs: StepInput[] = kinds.map((kind, r) => (kind === 't' ? { kind: 'token', id: 20 + k + r } : { kind: 'embedding', vector: prevA.latent.slice(r * H, (r + 1) * H) }));
      prevA = await tfjs.step(pa.cache, inputs);
      prevB = await ort.step(pb.cache, inputs);
      compare(prevA, prevB);
      expect(pb.cache.length).toBe(pa.cache.length);
    }
    // The ORT outputs are not trivially equal to the inputs (the latents really differ from step to step).
    expect(maxAbsDiff(prevB.latent, pb.latent)).toBeGreaterThan(1e-2);
    tfjs.release(pa.cache);
    ort.release(pb.cache);
    ort.release(pb.cache); // idempotent
    await expectLvrError(ort.step(pb.cache, [{ kind: 'token', id: 1 }, { kind: 'token', id: 1 }]), 'INVALID_ARGUMENT', /released/);
  });

  it('greedy generate with strategy fixed:4 gives identical token ids and latent spans', async () => {
    const run = (m: StepModel): Promise<GenerateResult[]> =>
      generate(m, rows().map((r, i) => ({ prompt: r, seed: i })), { strategy: { kind: 'fixed', steps: 4 }, sampler: { kind: 'greedy' }, maxNewTokens: 10 });
    const [a, b] = [await run(tfjs), await run(ort)];
    expect(b.map((r) => r.outputIds)).toEqual(a.map((r) => r.outputIds));
    expect(b.map((r) => r.inputs)).toEqual(a.map((r) => r.inputs));
    for (const [i, ra] of a.entries()) {
      const rb = b[i] as GenerateResult;
      expect(ra.latentSpans.length).toBeGreaterThanOrEqual(1); // the prompt opens one; greedy may open more
      expect(rb.latentSpans.map((s) => [s.start, s.steps, s.stopReason, s.sampledTokens])).toEqual(ra.latentSpans.map((s) => [s.start, s.steps, s.stopReason, s.sampledTokens]));
      ra.latentSpans.forEach((span, j) => span.vectors.forEach((v, k) => expect(maxAbsDiff(v, rb.latentSpans[j]?.vectors[k] as Float32Array)).toBeLessThan(TOL)));
      expect(maxAbsDiff(ra.logprobs, rb.logprobs)).toBeLessThan(TOL);
    }
  });

  it('prompt probes match tfjs: image bottleneck (one row of two) with latent tokens, embedding overrides; encodeImages', async () => {
    const w = (s: string): number => (tok.model as { vocab: Record<string, number> }).vocab[s] as number;
    const [l0, l1] = c.tokens.latentIds as [number, number];
    const withLatents = promptWithImage(c, [w('what')], 4, [w('is'), l0, l1, w('the')]);
    const probeRows = (img: number): PrefillRow[] => [
      { inputIds: withLatents, images: [randomImage(c, img, { t: 1, h: 4, w: 4 })], imageBottleneck: true, embeddingOverrides: [{ position: withLatents.length - 2, vector: new Float32Array(c.hiddenSize) }] },
      { inputIds: promptWithImage(c, [w('red')], 2, [w('is')]), images: [randomImage(c, 5, { t: 1, h: 2, w: 4 })], embeddingOverrides: [{ position: 0, vector: new Float32Array(c.hiddenSize).fill(0.5) }] },
    ];
    const steps: StepInput[][] = [[{ kind: 'token', id: 25 }, { kind: 'token', id: 26 }], [{ kind: 'token', id: 27 }, { kind: 'embedding', vector: new Float32Array(c.hiddenSize).fill(0.1) }]];
    const outs = async (m: StepModel, img: number): Promise<StepOutput[]> => {
      const pre = await m.prefill(probeRows(img));
      const res: StepOutput[] = [pre];
      for (const inp of steps) res.push(await m.step(pre.cache, inp));
      m.release(pre.cache);
      return res;
    };
    const [a, b] = [await outs(tfjs, 1), await outs(ort, 1)];
    a.forEach((o, k) => compare(o, b[k] as StepOutput));
    // The probes change the outputs: without them the ORT prefill differs.
    const plain = await ort.prefill(probeRows(1).map((r) => ({ inputIds: r.inputIds, images: r.images })));
    expect(maxAbsDiff(plain.logits, (b[0] as StepOutput).logits)).toBeGreaterThan(1e-3);
    ort.release(plain.cache);
    const imgs = [randomImage(c, 1, { t: 1, h: 4, w: 4 }), randomImage(c, 5, { t: 1, h: 2, w: 4 })];
    const [ea, eb] = [await tfjs.encodeImages(imgs), await ort.encodeImages(imgs)];
    expect(eb.length).toBe(6 * c.hiddenSize);
    expect(maxAbsDiff(ea, eb)).toBeLessThan(TOL);
  });

  it('rejects bad steps and prompts with clear errors', async () => {
    const pre = await ort.prefill(rows());
    await expectLvrError(ort.step(pre.cache, [{ kind: 'token', id: 1 }]), 'SHAPE_MISMATCH', /1 inputs for a batch of 2/);
    await expectLvrError(ort.step(pre.cache, [{ kind: 'token', id: c.vocabSize }, { kind: 'token', id: 1 }]), 'INVALID_ARGUMENT', /row 0 token id/);
    await expectLvrError(ort.step(pre.cache, [{ kind: 'token', id: 1 }, { kind: 'embedding', vector: new Float32Array(3) }]), 'SHAPE_MISMATCH', /row 1 embedding has 3 values/);
    await expectLvrError(ort.step(pre.cache, [{ kind: 'token', id: 1 }, { kind: 'embedding', vector: new Float32Array(c.hiddenSize).fill(Number.NaN) }]), 'NUMERIC', /non-finite/);
    ort.release(pre.cache);
    const [r0] = rows();
    const ids = r0?.inputIds as Int32Array;
    await expectLvrError(ort.prefill([{ inputIds: ids, images: [] }]), 'SHAPE_MISMATCH', /1 image\(s\) but 0 image_grid_thw/);
    const img = randomImage(c, 3, { t: 1, h: 4, w: 4 });
    await expectLvrError(ort.prefill([{ inputIds: ids, images: [{ ...img, pixelValues: img.pixelValues.subarray(1) }] }]), 'SHAPE_MISMATCH', /image 0: 6143 pixel values do not match grid \(1,4,4\)/);
    await expectLvrError(ort.prefill([{ inputIds: Int32Array.from([c.vocabSize + 3]) }]), 'SHAPE_MISMATCH', /token id \d+ at flat position 0 is outside the vocabulary/);
    await expectLvrError(ort.prefill([]), 'INVALID_ARGUMENT', /no rows/);
  });
});

describe('OrtStepModel options and validation', () => {
  it('worker: true gives the same outputs as in-process, and dispose stops the worker', async () => {
    const w = await OrtStepModel.create(base.dir, { intraOpNumThreads: 1, worker: true });
    expect(w.backend).toBe('onnxruntime-node (worker)');
    const [pa, pb] = [await ort.prefill(rows()), await w.prefill(rows())];
    expect(Array.from(pb.logits)).toEqual(Array.from(pa.logits));
    const inputs: StepInput[] = [{ kind: 'embedding', vector: pa.latent.slice(0, c.hiddenSize) }, { kind: 'token', id: 21 }];
    const [sa, sb] = [await ort.step(pa.cache, inputs), await w.step(pb.cache, inputs)];
    expect(Array.from(sb.hidden)).toEqual(Array.from(sa.hidden));
    expect(pb.cache.length).toBe(pa.cache.length);
    await expectLvrError(w.step(pb.cache, [{ kind: 'token', id: 1 }]), 'SHAPE_MISMATCH', /1 inputs for a batch of 2/); // errors cross the thread
    ort.release(pa.cache);
    w.release(pb.cache);
    await w.dispose();
    await expectLvrError(w.prefill(rows()), 'INVALID_ARGUMENT', /disposed/);
  });

  it('an LVR head and a latent-end embedding are exported and applied (latent = head(hidden))', async () => {
    const head = await exported('head', onnxTestConfig(tok, { lvr: { head: 'simple', latentEndEmbedding: true } }), 12);
    const [a, b] = [new TfjsStepModel(head.model), await OrtStepModel.create(head.dir, { intraOpNumThreads: 1 })];
    try {
      expect(Array.from(b.latentEndEmbedding ?? [])).toEqual(Array.from(a.latentEndEmbedding ?? [1]));
      expect((await readOnnxFolder(head.dir)).training).toBeUndefined();
      const [pa, pb] = [await a.prefill(rows().slice(0, 1)), await b.prefill(rows().slice(0, 1))];
      compare(pa, pb);
      expect(maxAbsDiff(pb.latent, pb.hidden)).toBeGreaterThan(1e-2);
      const inputs: StepInput[] = [{ kind: 'embedding', vector: pa.latent }];
      compare(await a.step(pa.cache, inputs), await b.step(pb.cache, inputs));
      a.release(pa.cache);
      b.release(pb.cache);
    } finally {
      await b.dispose();
      head.model.dispose();
    }
  });

  it('a decoder without last_hidden_state (an onnx-community export) or a missing graph fails at load, naming what is missing', async () => {
    const bad = join(root, 'no-hidden');
    await mkdir(join(bad, 'onnx'), { recursive: true });
    for (const f of Object.values(ONNX_FILES).filter((x) => x !== ONNX_FILES.lvrHead && x !== ONNX_FILES.extras && x !== ONNX_FILES.pause)) await copyFile(join(base.dir, f), join(bad, f));
    const proto = fromBinary(ModelProtoSchema, new Uint8Array(await readFile(join(bad, ONNX_FILES.decoder))));
    if (proto.graph) proto.graph.output = proto.graph.output.filter((o) => o.name !== 'last_hidden_state');
    await writeFile(join(bad, ONNX_FILES.decoder), toBinary(ModelProtoSchema, proto));
    await expectLvrError(OrtStepModel.create(bad, { intraOpNumThreads: 1 }), 'CHECKPOINT', /decoder_model_merged\.onnx: .*missing output "last_hidden_state" \(float32, rank 3\)/);
    await expectLvrError(OrtStepModel.create(bad, { intraOpNumThreads: 1, worker: true }), 'CHECKPOINT', /missing output "last_hidden_state"/);
    await unlink(join(bad, ONNX_FILES.vision));
    await expectLvrError(OrtStepModel.create(bad, { intraOpNumThreads: 1 }), 'CHECKPOINT', /vision_encoder\.onnx: cannot open/);
    await expectLvrError(OrtStepModel.create(bad, { intraOpNumThreads: 0 }), 'CONFIG_INVALID', /intraOpNumThreads must be a positive integer/);
  });
});

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LvrError, ProgressReporter, createLogger, writeFileAtomic, writeJsonAtomic, type ProgressCallback } from '@lvr/core';
import { DEFAULT_CHAT_TEMPLATE, IM_END_TOKEN, PAD_TOKEN } from '@lvr/data';
import { configToJson } from '../config.js';
import { encodeSafetensors } from '../io/safetensors.js';
import { param } from '../models/params.js';
import type { MiniQwenVL } from '../models/vlm.js';
import { loadModel, type TrainingInfo } from '../recipes/model-io.js';
import { ONNX_FILES } from './contract.js';
import { buildDecoderGraph } from './decoder-graph.js';
import type { GraphBuilder } from './graph-builder.js';
import type { WeightSource } from './graph-ops.js';
import { preprocessorConfigJson } from './preprocessor-config.js';
import { buildEmbedGraph, buildLvrHeadGraph } from './small-graphs.js';
import { buildVisionGraph } from './vision-graph.js';

const log = createLogger('model:onnx');

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /** `lvr_training.json` to write next to the graphs (exportOnnx copies the checkpoint's). */
  readonly training?: TrainingInfo | undefined;
  /** One tick per file written. */
  readonly onProgress?: ProgressCallback | undefined;
  /** The Jinja chat template written into tokenizer_config.json (default: the source folder's, else the default ChatML one). */
  readonly chatTemplate?: string | undefined;
}

/** `tokenizer_config.json` of an exported folder: what Hugging Face / transformers.js read besides tokenizer.json. */
export function tokenizerConfigJson(chatTemplate: string | undefined): Record<string, unknown> {
  return {
    chat_template: chatTemplate ?? DEFAULT_CHAT_TEMPLATE, clean_up_tokenization_spaces: false, eos_token: IM_END_TOKEN, pad_token: PAD_TOKEN,
  };
}

/** What an export wrote. */
export interface ExportOnnxResult {
  readonly outDir: string;
  /** Paths relative to `outDir`, in write order, with their sizes in bytes. */
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
}

/** Weights of a loaded model, read once per tensor (PyTorch layout). */
export function modelWeights(model: MiniQwenVL): WeightSource {
  return {
    get(name) {
      const v = param(model.params, name);
      return { data: v.dataSync() as Float32Array, shape: v.shape };
    },
  };
}

/**
 * Writes a model (and its tokenizer JSON) as an ONNX model folder (docs/onnx.md): config.json, tokenizer.json,
 * tokenizer_config.json (the chat template: `opts.chatTemplate`, else the default ChatML one), preprocessor_config.json, onnx/{embed_tokens,vision_encoder,decoder_model_merged}.onnx, plus onnx/lvr_head.onnx
 * when the model has an LVR head, lvr_extras.safetensors when it has a learned latent-end embedding,
 * pause_embeddings.safetensors when it has pause embeddings (the `pause` latent feedback) and lvr_training.json
 * (with its `"latent_feedback"`) when `opts.training` is given.
 * Files are written atomically; existing files of the same names are replaced.
 *
 * @example
 * await writeOnnxFolder(model, tokenizerJson, 'runs/demo/onnx');
 */
export async function writeOnnxFolder(model: MiniQwenVL, tokenizerJson: object, outDir: string, opts: ExportOnnxOptions = {}): Promise<ExportOnnxResult> {
  const c = model.config;
  const w = modelWeights(model);
  const graphs: [string, () => GraphBuilder][] = [
    [ONNX_FILES.embed, () => buildEmbedGraph(c, w)],
    [ONNX_FILES.vision, () => buildVisionGraph(c, w)],
    [ONNX_FILES.decoder, () => buildDecoderGraph(c, w)],
  ];
  if (c.lvr.head !== 'none') graphs.push([ONNX_FILES.lvrHead, () => buildLvrHeadGraph(c, w)]);
  const extras = c.lvr.latentEndEmbedding;
  const pause = c.lvr.pauseTokens > 0;
  const progress = new ProgressReporter('export-onnx', 3 + graphs.length + (extras ? 1 : 0) + (pause ? 1 : 0) + (opts.training ? 1 : 0), opts.onProgress);
  const files: { path: string; bytes: number }[] = [];
  const write = async (rel: string, data: string | Uint8Array): Promise<void> => {
    const path = join(outDir, rel);
    try {
      await writeFileAtomic(path, data);
    } catch (e) {
      throw new LvrError('IO_ERROR', `export onnx: cannot write ${path}: ${(e as Error).message}`, { cause: e, details: { file: path } });
    }
    files.push({ path: rel, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength });
    progress.tick(1, { file: rel });
  };
  const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
  try {
    await mkdir(join(outDir, 'onnx'), { recursive: true });
  } catch (e) {
    throw new LvrError('IO_ERROR', `export onnx: cannot create ${outDir}/onnx: ${(e as Error).message}`, { cause: e, details: { file: outDir } });
  }
  await write(ONNX_FILES.config, json(configToJson(c)));
  await write(ONNX_FILES.tokenizer, json(tokenizerJson));
  await write(ONNX_FILES.tokenizerConfig, json(tokenizerConfigJson(opts.chatTemplate)));
  await write(ONNX_FILES.preprocessor, json(preprocessorConfigJson(c)));
  if (opts.training) await write(ONNX_FILES.training, json(opts.training));
  if (extras) {
    const v = param(model.params, 'lvr_latent_end_emb');
    await write(ONNX_FILES.extras, encodeSafetensors({ lvr_latent_end_emb: { dtype: 'F32', shape: [...v.shape], data: v.dataSync() as Float32Array } }));
  }
  if (pause) {
    const v = param(model.params, 'lvr_pause_emb');
    await write(ONNX_FILES.pause, encodeSafetensors({ lvr_pause_emb: { dtype: 'F32', shape: [...v.shape], data: v.dataSync() as Float32Array } }));
  }
  for (const [rel, build] of graphs) {
    const g = build();
    await write(rel, g.build({ 'lvr.model_type': c.modelType }));
    log.debug('wrote graph', { file: rel, nodes: g.nodeCount });
  }
  progress.finish();
  return { outDir, files };
}

/**
 * `lvr export onnx --model DIR --out DIR`: loads a model folder written by `saveModel` / the trainer and writes
 * it as an ONNX model folder (see {@link writeOnnxFolder}); the checkpoint's lvr_training.json is carried over.
 *
 * @example
 * const { files } = await exportOnnx('runs/demo/lvr', 'runs/demo/onnx');
 */
export async function exportOnnx(modelDir: string, outDir: string, opts: ExportOnnxOptions = {}): Promise<ExportOnnxResult> {
  const { model, tokenizer, tokenizerJson, training } = await loadModel(modelDir);
  try {
    return await writeOnnxFolder(model, tokenizerJson, outDir, { training, chatTemplate: tokenizer.chatTemplate, ...opts });
  } finally {
    model.dispose();
  }
}

import { LvrError } from '@lvr/core';
import type { CacheHandle, DecodingTokenIds, PrefillRow, StepImage, StepInput, StepModel, StepOutput } from '@lvr/decoding';
import type { ModelConfig } from '../config.js';
import { readOnnxFolderModel } from './folder.js';
import { OrtEngine, type EnginePrefillResult } from './ort-engine.js';
import { resolveOrtOptions, type OrtOptions, type ResolvedOrtOptions } from './ort-runtime.js';
import { OrtWorkerClient } from './ort-worker-client.js';

/** Options of {@link OrtStepModel.create}: ORT session settings plus `worker`. */
export type OrtStepModelOptions = OrtOptions;

/** What OrtStepModel drives: the engine in this thread, or its worker-thread proxy. */
interface EngineLike {
  prefill(rows: readonly PrefillRow[]): Promise<EnginePrefillResult>;
  step(cacheId: number, inputs: readonly StepInput[]): Promise<StepOutput>;
  encodeImages(images: readonly StepImage[]): Promise<Float32Array>;
  release(cacheId: number): void;
  close(): Promise<void>;
}

class OrtCache implements CacheHandle {
  released = false;
  constructor(readonly id: number, readonly batchSize: number, public length: number) {}
}

/**
 * The ONNX Runtime implementation of `@lvr/decoding`'s `StepModel`, over an ONNX model folder (docs/onnx.md;
 * written by `exportOnnx`). Same semantics as `TfjsStepModel` — left-padded batched prefill with M-RoPE positions,
 * one position per step with a KV cache, token or embedding inputs, `latent` = the LVR head applied to the hidden
 * state (identity without a head), the prompt probes (`embeddingOverrides`, `imageBottleneck`) and `encodeImages` —
 * so every decoding strategy, the eval runner and RL rollouts work unchanged.
 * With `worker: true` the sessions and caches live in a worker thread and the event loop stays free.
 *
 * @example
 * const sm = await OrtStepModel.create('runs/demo/onnx', { intraOpNumThreads: 2 });
 * const [trace] = await generate(sm, [{ prompt: { inputIds, images } }], { strategy: { kind: 'fixed', steps: 4 } });
 * await sm.dispose();
 */
export class OrtStepModel implements StepModel {
  readonly hiddenSize: number;
  readonly vocabSize: number;
  readonly tokens: DecodingTokenIds;
  readonly backend: string;
  private readonly caches = new Map<number, OrtCache>();
  private disposed = false;

  private constructor(
    readonly config: Readonly<ModelConfig>,
    readonly latentEndEmbedding: Float32Array | undefined,
    readonly options: ResolvedOrtOptions,
    private readonly engine: EngineLike,
  ) {
    this.hiddenSize = config.hiddenSize;
    this.vocabSize = config.vocabSize;
    const t = config.tokens;
    this.tokens = {
      eosId: t.eosId, padId: t.padId, lvrStartId: t.lvrStartId, lvrId: t.lvrId,
      lvrLatentEndId: t.lvrLatentEndId, lvrEndId: t.lvrEndId, latentIds: [...t.latentIds],
    };
    this.backend = options.worker ? 'onnxruntime-node (worker)' : 'onnxruntime-node';
  }

  /**
   * Opens an ONNX model folder: reads config.json, opens the sessions and validates their input/output names,
   * dtypes and ranks against the contract.
   *
   * @throws LvrError `CHECKPOINT` (missing file; a session that breaks the contract, listing what is missing),
   *   `BACKEND_UNAVAILABLE` (onnxruntime-node not installed), `CONFIG_INVALID` (bad options).
   */
  static async create(dir: string, opts: OrtStepModelOptions = {}): Promise<OrtStepModel> {
    const o = resolveOrtOptions(opts);
    const { config, latentEndEmbedding } = await readOnnxFolderModel(dir);
    const engine: EngineLike = o.worker ? await OrtWorkerClient.open(dir, o) : await OrtEngine.open(dir, o);
    return new OrtStepModel(config, latentEndEmbedding, o, engine);
  }

  async prefill(rows: readonly PrefillRow[]): Promise<StepOutput & { cache: CacheHandle }> {
    this.alive();
    const r = await this.engine.prefill(rows);
    const cache = new OrtCache(r.cacheId, r.batchSize, r.length);
    this.caches.set(cache.id, cache);
    return { ...r.out, cache };
  }

  async step(handle: CacheHandle, inputs: readonly StepInput[]): Promise<StepOutput> {
    this.alive();
    const cache = handle instanceof OrtCache ? this.caches.get(handle.id) : undefined;
    if (!cache || cache !== handle || cache.released) throw new LvrError('INVALID_ARGUMENT', 'step: the cache was released or belongs to another model');
    const out = await this.engine.step(cache.id, inputs);
    cache.length += 1;
    return out;
  }

  /** Post-merger visual tokens (Σ tokens × D) of images, in order (the vision_encoder session). */
  async encodeImages(images: readonly StepImage[]): Promise<Float32Array> {
    this.alive();
    return this.engine.encodeImages(images);
  }

  release(handle: CacheHandle): void {
    const cache = handle instanceof OrtCache ? this.caches.get(handle.id) : undefined;
    if (!cache || cache !== handle || cache.released) return;
    cache.released = true;
    this.caches.delete(cache.id);
    if (!this.disposed) this.engine.release(cache.id);
  }

  /** Frees every cache and the sessions (and stops the worker). Idempotent. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const c of this.caches.values()) c.released = true;
    this.caches.clear();
    await this.engine.close();
  }

  private alive(): void {
    if (this.disposed) throw new LvrError('INVALID_ARGUMENT', 'OrtStepModel: the model was disposed');
  }
}

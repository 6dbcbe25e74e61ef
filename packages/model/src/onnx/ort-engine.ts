import { join } from 'node:path';
import { LvrError } from '@lvr/core';
import type { PrefillRow, StepImage, StepInput, StepOutput } from '@lvr/decoding';
import { headDim, patchRowWidth, type ModelConfig } from '../config.js';
import { contractFor, ONNX_FILES, validateSessionIo, type OnnxSessionKind } from './contract.js';
import { readOnnxFolderModel } from './folder.js';
import { checkImages, planPrefill } from '../inference/prefill-plan.js';
import { loadOrt, openSession, type OrtModule, type OrtSession, type OrtTensor, type ResolvedOrtOptions } from './ort-runtime.js';

/** Engine-side KV cache of one batch. */
interface EngineCache {
  readonly batchSize: number;
  /** Left-padded prompt length. */
  readonly promptLength: number;
  /** (B × promptLength) 1 = prompt key visible to later steps (padding and bottlenecked image tokens are 0). */
  readonly promptMask: Uint8Array;
  readonly ropeDeltas: Int32Array;
  length: number;
  /** Per layer: [key, value] (B, heads, length, d). */
  present: OrtTensor[];
}

/** What `prefill` returns: the outputs plus the new cache's id and shape. */
export interface EnginePrefillResult {
  readonly out: StepOutput;
  readonly cacheId: number;
  readonly batchSize: number;
  readonly length: number;
}

/**
 * The ONNX Runtime side of `OrtStepModel`, on plain typed arrays (so it can live in a worker thread): the
 * sessions of a model folder, validated against the contract, and the KV caches keyed by id. Semantics mirror
 * `TfjsStepModel`: left padding, M-RoPE prompt positions from `getRopeIndexBatch`, decode positions
 * `past_length + rope_delta` on all three axes, embeddings fed directly as `inputs_embeds`.
 */
export class OrtEngine {
  private readonly caches = new Map<number, EngineCache>();
  private nextId = 1;

  private constructor(
    private readonly ort: OrtModule,
    readonly config: Readonly<ModelConfig>,
    readonly latentEndEmbedding: Float32Array | undefined,
    private readonly sessions: Readonly<Record<OnnxSessionKind, OrtSession | undefined>>,
    private readonly gridName: string,
  ) {}

  /**
   * Opens and validates the sessions of a model folder.
   *
   * @throws LvrError `CHECKPOINT` (missing file, contract violation listing what is missing), `BACKEND_UNAVAILABLE`.
   */
  static async open(dir: string, o: ResolvedOrtOptions): Promise<OrtEngine> {
    const ort = await loadOrt();
    const { config, latentEndEmbedding } = await readOnnxFolderModel(dir);
    const contract = contractFor(config);
    const kinds: OnnxSessionKind[] = ['embed', 'vision', 'decoder'];
    if (config.lvr.head !== 'none') kinds.push('lvrHead');
    const sessions: Record<OnnxSessionKind, OrtSession | undefined> = { embed: undefined, vision: undefined, decoder: undefined, lvrHead: undefined };
    let gridName = 'grid_thw';
    try {
      for (const kind of kinds) {
        const file = join(dir, ONNX_FILES[kind]);
        const s = await openSession(ort, file, o);
        sessions[kind] = s;
        const io = validateSessionIo(s, contract[kind], file);
        if (kind === 'vision') gridName = io.inputs[1] as string;
      }
    } catch (e) {
      for (const s of Object.values(sessions)) await s?.release();
      throw e;
    }
    return new OrtEngine(ort, config, latentEndEmbedding, sessions, gridName);
  }

  /** Runs the prompts (left-padded; probes: prompt embedding overrides, image bottleneck) and creates a cache. */
  async prefill(rows: readonly PrefillRow[]): Promise<EnginePrefillResult> {
    const c = this.config;
    const H = c.hiddenSize;
    const plan = planPrefill(c, rows);
    const { batch: b, length: l } = plan;
    const embeds = await this.embed(plan.ids, b, l); // (B, L, H)
    await this.fillImages(embeds, plan.ids, plan.images);
    for (const o of plan.overrides) embeds.set(o.vector, o.flat * H);
    let present: OrtTensor[] = [];
    for (let i = 0; i < 2 * c.numLayers; i++) present.push(new this.ort.Tensor('float32', new Float32Array(0), [b, c.numHeads, 0, headDim(c)]));
    let out: StepOutput | undefined;
    for (const ch of plan.chunks) {
      const n = ch.end - ch.start;
      const e = new Float32Array(b * n * H);
      const pos = new Int32Array(3 * b * n);
      for (let i = 0; i < b; i++) {
        e.set(embeds.subarray((i * l + ch.start) * H, (i * l + ch.end) * H), i * n * H);
        for (let a = 0; a < 3; a++) pos.set(plan.positionIds.subarray((a * b + i) * l + ch.start, (a * b + i) * l + ch.end), (a * b + i) * n);
      }
      const r = await this.decode(e, b, n, ch.keyMask, pos, present);
      for (const t of present) t.dispose();
      present = r.present;
      out = r.out;
    }
    const cache: EngineCache = { batchSize: b, promptLength: l, promptMask: plan.stepMask, ropeDeltas: plan.ropeDeltas, length: l, present };
    const cacheId = this.nextId++;
    this.caches.set(cacheId, cache);
    return { out: out as StepOutput, cacheId, batchSize: b, length: l };
  }

  /** Post-merger visual tokens (Σ tokens × H) of images, in order. */
  async encodeImages(images: readonly StepImage[]): Promise<Float32Array> {
    const patches = checkImages(this.config, images);
    if (images.length === 0) return new Float32Array(0);
    return this.vision(images, patches);
  }

  /** Appends one position to every row of a cache. */
  async step(cacheId: number, inputs: readonly StepInput[]): Promise<StepOutput> {
    const cache = this.caches.get(cacheId);
    if (!cache) throw new LvrError('INVALID_ARGUMENT', 'step: the cache was released or belongs to another model');
    const b = cache.batchSize;
    if (inputs.length !== b) throw new LvrError('SHAPE_MISMATCH', `step: ${inputs.length} inputs for a batch of ${b}`);
    const c = this.config;
    const H = c.hiddenSize;
    const ids = new Int32Array(b).fill(c.tokens.padId);
    let tokens = 0;
    inputs.forEach((inp, i) => {
      if (inp.kind === 'token') {
        if (!(Number.isInteger(inp.id) && inp.id >= 0 && inp.id < c.vocabSize)) throw new LvrError('INVALID_ARGUMENT', `step: row ${i} token id ${inp.id} is outside the vocabulary`);
        ids[i] = inp.id;
        tokens++;
      } else {
        if (inp.vector.length !== H) throw new LvrError('SHAPE_MISMATCH', `step: row ${i} embedding has ${inp.vector.length} values, expected ${H}`);
        for (const v of inp.vector) if (!Number.isFinite(v)) throw new LvrError('NUMERIC', `step: row ${i} embedding contains a non-finite value`);
      }
    });
    const embeds = tokens > 0 ? await this.embed(ids, b, 1) : new Float32Array(b * H); // (B, 1, H)
    inputs.forEach((inp, i) => { if (inp.kind === 'embedding') embeds.set(inp.vector, i * H); });
    const pos = cache.length;
    const positionIds = new Int32Array(3 * b);
    for (let a = 0; a < 3; a++) for (let i = 0; i < b; i++) positionIds[a * b + i] = pos + (cache.ropeDeltas[i] as number);
    const s = pos + 1;
    const mask = new Uint8Array(b * s).fill(1);
    for (let i = 0; i < b; i++) mask.set(cache.promptMask.subarray(i * cache.promptLength, (i + 1) * cache.promptLength), i * s);
    const { out, present } = await this.decode(embeds, b, 1, mask, positionIds, cache.present);
    if (!this.caches.has(cacheId)) { // released while running
      for (const t of present) t.dispose();
      return out;
    }
    for (const t of cache.present) t.dispose();
    cache.present = present;
    cache.length += 1;
    return out;
  }

  /** Frees a cache. Idempotent. */
  release(cacheId: number): void {
    const cache = this.caches.get(cacheId);
    if (!cache) return;
    for (const t of cache.present) t.dispose();
    cache.present = [];
    this.caches.delete(cacheId);
  }

  /** Number of live caches (tests). */
  get liveCaches(): number {
    return this.caches.size;
  }

  /** Frees every cache and session. */
  async close(): Promise<void> {
    for (const id of [...this.caches.keys()]) this.release(id);
    for (const s of Object.values(this.sessions)) await s?.release();
  }

  private session(kind: OnnxSessionKind): OrtSession {
    const s = this.sessions[kind];
    if (!s) throw new LvrError('UNSUPPORTED', `the ${kind} session is not loaded`);
    return s;
  }

  private async run(kind: OnnxSessionKind, feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>> {
    try {
      return await this.session(kind).run(feeds);
    } catch (e) {
      throw new LvrError('NUMERIC', `ONNX Runtime failed in ${ONNX_FILES[kind]}: ${(e as Error).message}`, { cause: e, details: { file: ONNX_FILES[kind] } });
    }
  }

  /** Token embeddings (B·L·H) from the embed_tokens session. */
  private async embed(ids: Int32Array, b: number, l: number): Promise<Float32Array> {
    const input = new this.ort.Tensor('int64', BigInt64Array.from(ids, (x) => BigInt(x)), [b, l]);
    const res = await this.run('embed', { input_ids: input });
    return Float32Array.from(res.inputs_embeds?.data as Float32Array);
  }

  /** Replaces the `<|image_pad|>` rows of `embeds` by the vision encoder's features, in order. */
  private async fillImages(embeds: Float32Array, ids: Int32Array, images: readonly StepImage[]): Promise<void> {
    const c = this.config;
    const H = c.hiddenSize;
    const pads: number[] = [];
    ids.forEach((id, k) => { if (id === c.tokens.imagePadId) pads.push(k); });
    const patches = checkImages(c, images);
    const tokens = patches / c.vision.spatialMergeSize ** 2;
    if (pads.length !== tokens) throw new LvrError('SHAPE_MISMATCH', `the batch has ${pads.length} <|image_pad|> tokens but the images give ${tokens} visual tokens`);
    if (images.length === 0) return;
    const feats = await this.vision(images, patches); // (tokens, H)
    pads.forEach((k, j) => embeds.set(feats.subarray(j * H, (j + 1) * H), k * H));
  }

  /** Runs the vision encoder on checked images with `patches` rows in total. */
  private async vision(images: readonly StepImage[], patches: number): Promise<Float32Array> {
    const c = this.config;
    const row = patchRowWidth(c.vision);
    const tokens = patches / c.vision.spatialMergeSize ** 2;
    const pixels = new Float32Array(patches * row);
    const grid = new BigInt64Array(images.length * 3);
    let off = 0;
    images.forEach((img, i) => {
      pixels.set(img.pixelValues, off);
      off += img.pixelValues.length;
      grid.set([BigInt(img.gridThw.t), BigInt(img.gridThw.h), BigInt(img.gridThw.w)], i * 3);
    });
    const res = await this.run('vision', {
      pixel_values: new this.ort.Tensor('float32', pixels, [patches, row]),
      [this.gridName]: new this.ort.Tensor('int64', grid, [images.length, 3]),
    });
    const feats = Float32Array.from(res.image_features?.data as Float32Array);
    if (feats.length !== tokens * c.hiddenSize) throw new LvrError('SHAPE_MISMATCH', `vision encoder returned ${feats.length / c.hiddenSize} rows, expected ${tokens}`);
    return feats;
  }

  /** One decoder run; returns the last position of every row and the new present tensors. */
  private async decode(embeds: Float32Array, b: number, l: number, mask: Uint8Array, positionIds: Int32Array, past: readonly OrtTensor[]): Promise<{ out: StepOutput; present: OrtTensor[] }> {
    const c = this.config;
    const H = c.hiddenSize;
    const V = c.vocabSize;
    const T = this.ort.Tensor;
    const feeds: Record<string, OrtTensor> = {
      inputs_embeds: new T('float32', embeds, [b, l, H]),
      attention_mask: new T('int64', BigInt64Array.from(mask, (x) => BigInt(x)), [b, mask.length / b]),
      position_ids: new T('int64', BigInt64Array.from(positionIds, (x) => BigInt(x)), [3, b, l]), // axis-major (3, B, L)
    };
    for (let i = 0; i < c.numLayers; i++) {
      feeds[`past_key_values.${i}.key`] = past[2 * i] as OrtTensor;
      feeds[`past_key_values.${i}.value`] = past[2 * i + 1] as OrtTensor;
    }
    const res = await this.run('decoder', feeds);
    const logitsAll = res.logits?.data as Float32Array; // (B, L, V)
    const hiddenAll = res.last_hidden_state?.data as Float32Array; // (B, L, H)
    const logits = new Float32Array(b * V);
    const hidden = new Float32Array(b * H);
    for (let i = 0; i < b; i++) {
      const last = i * l + l - 1;
      logits.set(logitsAll.subarray(last * V, (last + 1) * V), i * V);
      hidden.set(hiddenAll.subarray(last * H, (last + 1) * H), i * H);
    }
    const present: OrtTensor[] = [];
    for (let i = 0; i < c.numLayers; i++) present.push(res[`present.${i}.key`] as OrtTensor, res[`present.${i}.value`] as OrtTensor);
    res.logits?.dispose();
    res.last_hidden_state?.dispose();
    let latent = Float32Array.from(hidden);
    if (this.sessions.lvrHead) {
      const r = await this.run('lvrHead', { hidden_states: new T('float32', Float32Array.from(hidden), [b, H]) });
      latent = Float32Array.from(r.latent?.data as Float32Array);
    }
    return { out: { logits, hidden, latent }, present };
  }
}

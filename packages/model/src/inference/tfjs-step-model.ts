import * as tf from '@tensorflow/tfjs';
import { LvrError } from '@lvr/core';
import type { CacheHandle, DecodingTokenIds, PrefillRow, StepImage, StepInput, StepModel, StepOutput } from '@lvr/decoding';
import type { KvPair } from '../layers/attention.js';
import { param } from '../models/params.js';
import type { EmbedOverride, MiniQwenVL } from '../models/vlm.js';
import { planPrefill } from './prefill-plan.js';

interface TfjsCache extends CacheHandle {
  readonly id: number;
  length: number;
  present: KvPair[];
  /** (B × capacity) 1 = real key, grown by one column per step. */
  keyMask: Uint8Array;
  ropeDeltas: Int32Array;
  released: boolean;
}

let nextId = 1;

/**
 * The tfjs implementation of `@lvr/decoding`'s `StepModel`: left-padded batched prefill with M-RoPE positions,
 * then one position per step with a real KV cache. Decode positions are `past_length + rope_delta` on all
 * three axes; a latent step (an embedding input) counts like a token.
 *
 * @example
 * const stepModel = new TfjsStepModel(model);
 * const results = await generate(stepModel, [{ prompt: { inputIds, images } }], { strategy: { kind: 'fixed', steps: 8 } });
 */
export class TfjsStepModel implements StepModel {
  readonly hiddenSize: number;
  readonly vocabSize: number;
  readonly tokens: DecodingTokenIds;
  readonly latentEndEmbedding: Float32Array | undefined;
  readonly backend: string;
  private readonly caches = new Map<number, TfjsCache>();

  constructor(readonly model: MiniQwenVL) {
    const c = model.config;
    this.hiddenSize = c.hiddenSize;
    this.vocabSize = c.vocabSize;
    this.tokens = {
      eosId: c.tokens.eosId, padId: c.tokens.padId, lvrStartId: c.tokens.lvrStartId, lvrId: c.tokens.lvrId,
      lvrLatentEndId: c.tokens.lvrLatentEndId, lvrEndId: c.tokens.lvrEndId, latentIds: [...c.tokens.latentIds],
    };
    this.latentEndEmbedding = c.lvr.latentEndEmbedding ? Float32Array.from(param(model.params, 'lvr_latent_end_emb').dataSync() as Float32Array) : undefined;
    this.backend = `tfjs-${tf.getBackend()}`;
  }

  async prefill(rows: readonly PrefillRow[]): Promise<StepOutput & { cache: CacheHandle }> {
    const c = this.model.config;
    // Left padding, M-RoPE positions, prompt overrides and the step key mask: shared with the ONNX backend.
    const plan = planPrefill(c, rows, this.hiddenSize);
    const { batch: b, length: l, ids, attentionMask: mask } = plan;
    const capacity = l + 64;
    const keyMask = new Uint8Array(b * capacity);
    for (let i = 0; i < b; i++) keyMask.set(plan.stepMask.subarray(i * l, (i + 1) * l), i * capacity);
    // LIVR's test-time bottleneck within the prompt: image keys only for image and latent queries.
    let allowed: Uint8Array | undefined;
    if (rows.some((r) => r.imageBottleneck)) {
      const latentSet = new Set(c.tokens.latentIds);
      const allow = new Uint8Array(b * l * l).fill(1);
      rows.forEach((r, i) => {
        if (!r.imageBottleneck) return;
        for (let k = 0; k < l; k++) {
          if (ids[i * l + k] !== c.tokens.imagePadId) continue;
          for (let q = 0; q < l; q++) {
            const qid = ids[i * l + q] as number;
            if (qid !== c.tokens.imagePadId && !latentSet.has(qid)) allow[(i * l + q) * l + k] = 0;
          }
        }
      });
      allowed = allow;
    }
    let ovTensor: tf.Tensor2D | undefined;
    const overrides: EmbedOverride[] = [];
    if (plan.overrides.length > 0) {
      const flat = new Float32Array(plan.overrides.length * this.hiddenSize);
      plan.overrides.forEach((o, k) => flat.set(o.vector, k * this.hiddenSize));
      ovTensor = tf.tensor2d(flat, [plan.overrides.length, this.hiddenSize]);
      overrides.push({ kind: 'rows', positions: Int32Array.from(plan.overrides, (o) => o.flat), rows: ovTensor });
    }
    let res: { out: StepOutput; present: KvPair[] };
    try {
      res = this.run({ batch: b, length: l, inputIds: ids, positionIds: plan.positionIds, attentionMask: mask, images: plan.images, overrides, allowed });
    } finally {
      ovTensor?.dispose();
    }
    const cache: TfjsCache = { id: nextId++, batchSize: b, length: l, present: res.present, keyMask, ropeDeltas: plan.ropeDeltas, released: false };
    this.caches.set(cache.id, cache);
    return { ...res.out, cache };
  }

  async step(handle: CacheHandle, inputs: readonly StepInput[]): Promise<StepOutput> {
    const cache = this.own(handle);
    const b = cache.batchSize;
    if (inputs.length !== b) throw new LvrError('SHAPE_MISMATCH', `step: ${inputs.length} inputs for a batch of ${b}`);
    const c = this.model.config;
    const ids = new Int32Array(b);
    const embPositions: number[] = [];
    const embRows: Float32Array[] = [];
    inputs.forEach((inp, i) => {
      if (inp.kind === 'token') {
        if (!(Number.isInteger(inp.id) && inp.id >= 0 && inp.id < this.vocabSize)) throw new LvrError('INVALID_ARGUMENT', `step: row ${i} token id ${inp.id} is outside the vocabulary`);
        ids[i] = inp.id;
      } else {
        if (inp.vector.length !== this.hiddenSize) throw new LvrError('SHAPE_MISMATCH', `step: row ${i} embedding has ${inp.vector.length} values, expected ${this.hiddenSize}`);
        for (const v of inp.vector) if (!Number.isFinite(v)) throw new LvrError('NUMERIC', `step: row ${i} embedding contains a non-finite value`);
        ids[i] = c.tokens.padId;
        embPositions.push(i);
        embRows.push(inp.vector);
      }
    });
    const pos = cache.length;
    const positionIds = new Int32Array(3 * b);
    for (let a = 0; a < 3; a++) for (let i = 0; i < b; i++) positionIds[a * b + i] = pos + (cache.ropeDeltas[i] as number);
    this.growMask(cache);
    const s = cache.length + 1;
    const cap = cache.keyMask.length / b;
    const attentionMask = new Uint8Array(b * s);
    for (let i = 0; i < b; i++) {
      cache.keyMask[i * cap + cache.length] = 1;
      attentionMask.set(cache.keyMask.subarray(i * cap, i * cap + s), i * s);
    }
    const overrides: EmbedOverride[] = [];
    let rowsTensor: tf.Tensor2D | undefined;
    if (embRows.length > 0) {
      const flat = new Float32Array(embRows.length * this.hiddenSize);
      embRows.forEach((r, k) => flat.set(r, k * this.hiddenSize));
      rowsTensor = tf.tensor2d(flat, [embRows.length, this.hiddenSize]);
      overrides.push({ kind: 'rows', positions: Int32Array.from(embPositions), rows: rowsTensor });
    }
    try {
      const { out, present } = this.run({ batch: b, length: 1, inputIds: ids, positionIds, attentionMask, past: cache.present, overrides });
      tf.dispose(cache.present.flatMap((p) => [p.key, p.value]));
      cache.present = present;
      cache.length += 1;
      return out;
    } finally {
      rowsTensor?.dispose();
    }
  }

  async encodeImages(images: readonly StepImage[]): Promise<Float32Array> {
    const t = this.model.encodeImages(images.map((im) => ({ pixelValues: im.pixelValues, gridThw: im.gridThw })));
    try {
      return Float32Array.from(t.dataSync() as Float32Array);
    } finally {
      t.dispose();
    }
  }

  release(handle: CacheHandle): void {
    const cache = this.caches.get((handle as TfjsCache).id);
    if (!cache || cache.released) return;
    tf.dispose(cache.present.flatMap((p) => [p.key, p.value]));
    cache.present = [];
    cache.released = true;
    this.caches.delete(cache.id);
  }

  private own(handle: CacheHandle): TfjsCache {
    const cache = this.caches.get((handle as TfjsCache).id);
    if (!cache || cache.released) throw new LvrError('INVALID_ARGUMENT', 'step: the cache was released or belongs to another model');
    return cache;
  }

  private growMask(cache: TfjsCache): void {
    const b = cache.batchSize;
    const cap = cache.keyMask.length / b;
    if (cache.length + 1 <= cap) return;
    const next = new Uint8Array(b * cap * 2);
    for (let i = 0; i < b; i++) next.set(cache.keyMask.subarray(i * cap, (i + 1) * cap), i * cap * 2);
    cache.keyMask = next;
  }

  /** One forward; returns the last position of every row (logits, hidden, latent) and the kept present K/V. */
  private run(inp: Parameters<MiniQwenVL['forward']>[0]): { out: StepOutput; present: KvPair[] } {
    const d = this.hiddenSize;
    const b = inp.batch;
    const l = inp.length;
    let present: KvPair[] = [];
    // Tensors (never TypedArrays) leave the tidy; they are read and disposed right after.
    const outs = tf.tidy(() => {
      const res = this.model.forward(inp);
      present = res.present.map((p) => ({ key: tf.keep(p.key), value: tf.keep(p.value) }));
      const last = Int32Array.from({ length: b }, (_, i) => i * l + l - 1);
      const h = tf.gather(res.hidden, tf.tensor1d(last, 'int32')) as tf.Tensor2D; // (B, D)
      return [this.model.logits(h), h, this.model.latentFromHidden(h)];
    });
    const arrays = outs.map((t) => Float32Array.from(t.dataSync() as Float32Array));
    tf.dispose(outs);
    const [logits, hidden, latent] = arrays as [Float32Array, Float32Array, Float32Array];
    if (hidden.length !== b * d) throw new LvrError('SHAPE_MISMATCH', 'internal: unexpected hidden size');
    return { out: { logits, hidden, latent }, present };
  }
}

import * as tf from '@tensorflow/tfjs';
import { LvrError, Rng } from '@lvr/core';
import type { ModelConfig } from '../config.js';
import { gatherRows } from '../ops/gather-rows.js';
import { tiedHead } from '../ops/linear.js';
import type { KvPair } from '../layers/attention.js';
import { buildAttentionMask, decoderForward } from './decoder.js';
import { encodeImages, type ImageInput } from './vision.js';
import { applyLvrHead } from './lvr-head.js';
import { initParams, param, type ParamStore } from './params.js';
import { disposeParams } from '../train/param-store.js';

/** Everything one forward pass needs, as plain arrays (backend-neutral) plus optional tensors. */
export interface ForwardInput {
  batch: number;
  length: number;
  /** (B·L) token ids. */
  inputIds: Int32Array;
  /** (3, B·L) axis-major M-RoPE positions (from `@lvr/data`'s getRopeIndex, or decode positions). */
  positionIds: Int32Array;
  /** (B, P+L) 1 = real token, 0 = padding. Defaults to all ones. */
  attentionMask?: Uint8Array | undefined;
  /** Images whose tokens fill the `<|image_pad|>` positions in order (row-major over the batch). */
  images?: readonly ImageInput[] | undefined;
  /** Alternatively, precomputed post-merger visual tokens (Nv, D) (cache of a frozen ViT). */
  visualTokens?: tf.Tensor2D | undefined;
  /**
   * Positions whose input embedding is replaced: flat indices b·L + p, and the rows that replace them —
   * either rows of the visual-token list (`visualRows`, teacher forcing in LVR SFT) or explicit vectors
   * (`rows`, (n, D): fed-back hidden states, the latent-end embedding, probes).
   */
  overrides?: readonly EmbedOverride[] | undefined;
  /** (B, L, L) extra attention restriction among the new positions (LIVR's stage-1 bottleneck). */
  allowed?: Uint8Array | undefined;
  /** Per-layer KV cache of P earlier positions. */
  past?: readonly KvPair[] | undefined;
}

export type EmbedOverride =
  | { kind: 'visual'; positions: Int32Array; visualRows: Int32Array }
  | { kind: 'rows'; positions: Int32Array; rows: tf.Tensor2D };

export interface ForwardOutput {
  /** Final-norm hidden states (B·L, D). */
  hidden: tf.Tensor2D;
  /** Visual tokens used (Nv, D) (LVR targets are taken from here). */
  visual: tf.Tensor2D;
  present: KvPair[];
}

/**
 * A miniature Qwen2.5-VL: ViT → 2×2 merger → decoder-only LM with M-RoPE and tied embeddings. Forward returns
 * final-norm hidden states; `logits` applies the tied head. Weights live in a `ParamStore`.
 *
 * @example
 * const model = MiniQwenVL.create(config, { seed: 0 });
 * const { hidden } = model.forward(input);
 * const logits = model.logits(hidden); // (B·L, V)
 */
export class MiniQwenVL {
  private constructor(readonly config: Readonly<ModelConfig>, readonly params: ParamStore) {}

  /** Random-init model (seeded, identical on every backend). */
  static create(config: Readonly<ModelConfig>, opts: { seed?: number } = {}): MiniQwenVL {
    return new MiniQwenVL(config, initParams(config, new Rng(opts.seed ?? 0)));
  }

  /** Wraps an existing parameter store (e.g. loaded from a checkpoint). */
  static fromParams(config: Readonly<ModelConfig>, params: ParamStore): MiniQwenVL {
    return new MiniQwenVL(config, params);
  }

  /** Post-merger visual tokens (Σ tokens, D) for images in order. */
  encodeImages(images: readonly ImageInput[]): tf.Tensor2D {
    return encodeImages(this.params, this.config, images);
  }

  /** Token embeddings (n, D). */
  embedTokens(ids: Int32Array): tf.Tensor2D {
    return gatherRows(param(this.params, 'model.embed_tokens.weight') as tf.Tensor2D, ids);
  }

  /** Tied LM head: hidden (n, D) → logits (n, V). */
  logits(hidden: tf.Tensor2D): tf.Tensor2D {
    return tiedHead(hidden, param(this.params, 'model.embed_tokens.weight') as tf.Tensor2D);
  }

  /** The vector fed back as the next latent input for a hidden state (the LVR head when configured). */
  latentFromHidden(hidden: tf.Tensor2D): tf.Tensor2D {
    return applyLvrHead(this.params, this.config, hidden);
  }

  /** Runs the model on one batch. Call inside `tf.tidy` (training) or dispose the outputs yourself. */
  forward(inp: ForwardInput): ForwardOutput {
    const c = this.config;
    const n = inp.batch * inp.length;
    if (inp.inputIds.length !== n) throw new LvrError('SHAPE_MISMATCH', `inputIds has ${inp.inputIds.length} ids, expected batch·length = ${n}`);
    if (inp.positionIds.length !== 3 * n) throw new LvrError('SHAPE_MISMATCH', `positionIds has ${inp.positionIds.length} values, expected 3·${n}`);
    const pastLength = inp.past?.[0]?.key.shape[2] ?? 0;
    return tf.tidy(() => {
    const visual = inp.visualTokens ?? this.encodeImages(inp.images ?? []);
    const nv = visual.shape[0];
    const embed = param(this.params, 'model.embed_tokens.weight') as tf.Tensor2D;
    const vocab = embed.shape[0];
    // Source rows: [embedding table (V) | visual tokens (Nv) | explicit override rows …]; one gather builds the input.
    const sources: tf.Tensor2D[] = [embed, visual];
    let offset = vocab + nv;
    const index = new Int32Array(n);
    let pad = 0;
    for (let i = 0; i < n; i++) {
      const id = inp.inputIds[i] as number;
      if (id === c.tokens.imagePadId) {
        if (pad >= nv) throw new LvrError('SHAPE_MISMATCH', `the batch has more <|image_pad|> tokens than the ${nv} visual tokens supplied`);
        index[i] = vocab + pad++;
      } else {
        if (id < 0 || id >= vocab) throw new LvrError('SHAPE_MISMATCH', `token id ${id} at flat position ${i} is outside the vocabulary (${vocab})`);
        index[i] = id;
      }
    }
    if (pad !== nv) throw new LvrError('SHAPE_MISMATCH', `the batch has ${pad} <|image_pad|> tokens but ${nv} visual tokens were supplied`);
    for (const o of inp.overrides ?? []) {
      if (o.kind === 'visual') {
        if (o.visualRows.length !== o.positions.length) throw new LvrError('SHAPE_MISMATCH', 'override positions and visualRows differ in length');
        o.positions.forEach((pos, k) => {
          const r = o.visualRows[k] as number;
          if (!(r >= 0 && r < nv)) throw new LvrError('SHAPE_MISMATCH', `override visual row ${r} outside [0, ${nv})`);
          index[checkPos(pos, n)] = vocab + r;
        });
      } else {
        if (o.rows.shape[0] !== o.positions.length) throw new LvrError('SHAPE_MISMATCH', 'override positions and rows differ in length');
        o.positions.forEach((pos, k) => { index[checkPos(pos, n)] = offset + k; });
        sources.push(o.rows);
        offset += o.rows.shape[0];
      }
    }
    const src = tf.concat(sources, 0) as tf.Tensor2D; // (V + Nv + Σ override rows, D)
    const inputsEmbeds = gatherRows(src, index); // (B·L, D)
    const mask = buildAttentionMask({ batch: inp.batch, length: inp.length, pastLength, keyMask: inp.attentionMask, allowed: inp.allowed });
    const out = decoderForward(this.params, c, { inputsEmbeds, batch: inp.batch, length: inp.length, positionIds: inp.positionIds, mask, past: inp.past });
    return { hidden: out.hidden, visual, present: out.present } as unknown as tf.TensorContainer;
    }) as unknown as ForwardOutput;
  }

  dispose(): void {
    disposeParams(this.params);
  }
}

function checkPos(pos: number, n: number): number {
  if (!(Number.isInteger(pos) && pos >= 0 && pos < n)) throw new LvrError('SHAPE_MISMATCH', `override position ${pos} outside [0, ${n})`);
  return pos;
}

import * as tf from '@tensorflow/tfjs';
import { headDim, type ModelConfig } from '../config.js';
import { mropeTables } from '../ops/rope.js';
import { attention, type KvPair } from '../layers/attention.js';
import { rmsNorm } from '../layers/rms-norm.js';
import { swiGlu } from '../layers/mlp.js';
import { param, type ParamStore } from './params.js';

export interface DecoderInput {
  /** Input embeddings (B·L, D), row-major over (batch, position). */
  inputsEmbeds: tf.Tensor2D;
  batch: number;
  length: number;
  /** M-RoPE positions, axis-major (3, B·L): t row, h row, w row. */
  positionIds: Int32Array;
  /** Additive attention mask (B, 1, L, P+L). */
  mask: tf.Tensor4D;
  /** Per-layer cached keys/values of P earlier positions. */
  past?: readonly KvPair[] | undefined;
}

export interface DecoderOutput {
  /** Final-norm hidden states (B·L, D) — what LVR feeds back and regresses. */
  hidden: tf.Tensor2D;
  /** Per-layer keys/values including the new positions (for a KV cache). */
  present: KvPair[];
}

/**
 * Decoder-only LM body (Qwen2): pre-norm blocks of M-RoPE attention and SwiGLU, then the final RMSNorm.
 */
export function decoderForward(params: ParamStore, c: ModelConfig, inp: DecoderInput): DecoderOutput {
  const n = inp.batch * inp.length;
  const d = headDim(c);
  const tables = mropeTables(inp.positionIds, n, d, c.ropeTheta, c.mropeSection);
  const cos = tf.tensor2d(tables.cos, [n, d]);
  const sin = tf.tensor2d(tables.sin, [n, d]);
  const present: KvPair[] = [];
  let x = inp.inputsEmbeds;
  for (let l = 0; l < c.numLayers; l++) {
    const p = (s: string): tf.Tensor => param(params, `model.layers.${l}.${s}`);
    // LoRA: W' = W + (α/r)·B·A for the adapted projections (B starts at zero, so the base model is unchanged).
    const w = (proj: 'q' | 'k' | 'v' | 'o'): tf.Tensor2D => {
      const base = p(`self_attn.${proj}_proj.weight`) as tf.Tensor2D;
      if (!c.lora || !c.lora.targets.includes(proj)) return base;
      const a = p(`self_attn.${proj}_proj.lora_A`) as tf.Tensor2D; // (r, in)
      const b = p(`self_attn.${proj}_proj.lora_B`) as tf.Tensor2D; // (out, r)
      return tf.add(base, tf.mul(tf.matMul(b, a), c.lora.alpha / c.lora.r)) as tf.Tensor2D; // (out, in)
    };
    const opt = (s: string): tf.Tensor1D | undefined => (c.attentionBias ? (p(s) as tf.Tensor1D) : undefined);
    const h = rmsNorm(x, p('input_layernorm.weight') as tf.Tensor1D, c.rmsNormEps);
    const att = attention(
      { x: h, batch: inp.batch, length: inp.length, heads: c.numHeads, cos, sin, mask: inp.mask, past: inp.past?.[l] },
      {
        q: w('q'), k: w('k'), v: w('v'), o: w('o'),
        qBias: opt('self_attn.q_proj.bias'), kBias: opt('self_attn.k_proj.bias'), vBias: opt('self_attn.v_proj.bias'),
      },
    );
    present.push(att.present);
    x = tf.add(x, att.out) as tf.Tensor2D;
    const h2 = rmsNorm(x, p('post_attention_layernorm.weight') as tf.Tensor1D, c.rmsNormEps);
    x = tf.add(x, swiGlu(h2, {
      gate: p('mlp.gate_proj.weight') as tf.Tensor2D, up: p('mlp.up_proj.weight') as tf.Tensor2D, down: p('mlp.down_proj.weight') as tf.Tensor2D,
    })) as tf.Tensor2D;
  }
  const hidden = rmsNorm(x, param(params, 'model.norm.weight') as tf.Tensor1D, c.rmsNormEps);
  return { hidden, present };
}

/**
 * Builds the additive mask (B, 1, L, P+L) in JS: key j is visible to query i iff it is not padding, j ≤ P+i
 * (causal), and — when `allowed` (B, L, L) is given — `allowed[b, i, j]` for the new keys.
 */
export function buildAttentionMask(opts: {
  batch: number;
  length: number;
  pastLength?: number;
  /** (B, P+L): 1 for real tokens, 0 for padding. Defaults to all ones. */
  keyMask?: Uint8Array | undefined;
  /** (B, L, L): 1 = query i may attend key j among the new positions (e.g. LIVR's bottleneck). */
  allowed?: Uint8Array | undefined;
  /** false = bidirectional (no causal constraint). */
  causal?: boolean;
}): tf.Tensor4D {
  const { batch: b, length: l } = opts;
  const p = opts.pastLength ?? 0;
  const s = p + l;
  const causal = opts.causal ?? true;
  const out = new Float32Array(b * l * s);
  const NEG = -1e9;
  for (let bi = 0; bi < b; bi++) {
    for (let i = 0; i < l; i++) {
      const row = (bi * l + i) * s;
      for (let j = 0; j < s; j++) {
        let ok = !causal || j <= p + i;
        if (ok && opts.keyMask && opts.keyMask[bi * s + j] === 0) ok = false;
        if (ok && opts.allowed && j >= p && opts.allowed[(bi * l + i) * l + (j - p)] === 0) ok = false;
        if (!ok) out[row + j] = NEG;
      }
    }
  }
  return tf.tensor4d(out, [b, 1, l, s]);
}

import { headDim, type ModelConfig } from '../config.js';
import { inverseFrequencies } from '../ops/rope.js';
import { GraphBuilder } from './graph-builder.js';
import { applyRope, attentionCore, dimOf, linear, rmsNorm, rotaryTables, swiGlu, transpose2d, type WeightSource } from './graph-ops.js';

/** The additive value of a blocked key (as `buildAttentionMask`). */
const NEG = -1e9;

/**
 * M-RoPE tables from `position_ids` (3, b, s): frequency i of the rotary half takes its position from axis
 * t, h or w by `mropeSection` (as `mropeTables`); returns cos/sin (b, 1, s, d) that broadcast over heads.
 */
function mropeTablesGraph(g: GraphBuilder, c: ModelConfig, positionIds: string): { cos: string; sin: string } {
  const d = headDim(c);
  const half = d / 2;
  const sec = c.mropeSection;
  const axisOf = Array.from({ length: half }, (_, i) => (i < sec[0] ? 0 : i < sec[0] + sec[1] ? 1 : 2));
  const picked = g.op('Gather', [positionIds, g.i64(axisOf)], { axis: { int: 0 } }); // (half, b, s)
  const pos = g.op('Cast', [g.op('Transpose', [picked], { perm: { ints: [1, 2, 0] } })], { to: { int: 11 } }); // (b, s, half) f64
  const angles = g.op('Mul', [pos, g.f64(inverseFrequencies(d, c.ropeTheta))]); // (b, s, half)
  const t = rotaryTables(g, angles); // (b, s, d)
  const axis1 = g.i64([1]);
  return { cos: g.op('Unsqueeze', [t.cos, axis1]), sin: g.op('Unsqueeze', [t.sin, axis1]) }; // (b, 1, s, d)
}

/**
 * Additive mask (b, 1, s, past+s) from `attention_mask` (b, past+s): query i (absolute position past+i) sees
 * key j iff j ≤ past+i and `attention_mask[b, j] = 1`; blocked entries are −1e9 (as `buildAttentionMask`).
 */
function causalPaddingMask(g: GraphBuilder, attentionMask: string, embeds: string, pastKey: string): string {
  const s = dimOf(g, embeds, 1);
  const past = dimOf(g, pastKey, 2);
  const total = dimOf(g, attentionMask, 1);
  const one = g.i64([1], []);
  const qpos = g.op('Range', [past, g.op('Add', [past, s]), one]); // (s)
  const kpos = g.op('Range', [g.i64([0], []), total, one]); // (total)
  const causal = g.op('LessOrEqual', [g.op('Unsqueeze', [kpos, g.i64([0])]), g.op('Unsqueeze', [qpos, g.i64([1])])]); // (s, total)
  const keyOk = g.op('Unsqueeze', [g.op('Cast', [attentionMask], { to: { int: 9 } }), g.i64([1, 2])]); // (b, 1, 1, total)
  const allowed = g.op('And', [causal, keyOk]); // (b, 1, s, total)
  return g.op('Where', [allowed, g.f32([0], []), g.f32([NEG], [])]);
}

/**
 * `decoder_model_merged.onnx`: the whole LM with KV cache, M-RoPE, the final norm and the tied head.
 *
 * Inputs: `inputs_embeds` f32 (batch, sequence, H), `attention_mask` i64 (batch, past_sequence + sequence),
 * `position_ids` i64 (3, batch, sequence), `past_key_values.{i}.{key,value}` f32 (batch, heads, past_sequence, d).
 * Outputs: `logits` f32 (batch, sequence, V), `last_hidden_state` f32 (batch, sequence, H) (post final norm),
 * `present.{i}.{key,value}` f32 (batch, heads, past_sequence + sequence, d).
 *
 * @example
 * const bytes = buildDecoderGraph(model.config, weights).build();
 */
export function buildDecoderGraph(c: ModelConfig, w: WeightSource): GraphBuilder {
  const g = new GraphBuilder('decoder_model_merged', 'LVR miniature Qwen2.5-VL decoder with KV cache and last_hidden_state');
  const H = c.hiddenSize;
  const heads = c.numHeads;
  const d = headDim(c);
  const total = 'past_sequence + sequence';
  const embeds = g.input('inputs_embeds', 'float32', ['batch', 'sequence', H]);
  const attentionMask = g.input('attention_mask', 'int64', ['batch', total]);
  const positionIds = g.input('position_ids', 'int64', [3, 'batch', 'sequence']);
  const past: { key: string; value: string }[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    past.push({
      key: g.input(`past_key_values.${l}.key`, 'float32', ['batch', heads, 'past_sequence', d]),
      value: g.input(`past_key_values.${l}.value`, 'float32', ['batch', heads, 'past_sequence', d]),
    });
  }
  const { cos, sin } = mropeTablesGraph(g, c, positionIds);
  const mask = causalPaddingMask(g, attentionMask, embeds, (past[0] as { key: string }).key);
  const splitShape = g.i64([0, 0, heads, d]);
  const mergeShape = g.i64([0, 0, H]);
  const toHeads = (x: string): string => g.op('Transpose', [g.op('Reshape', [x, splitShape])], { perm: { ints: [0, 2, 1, 3] } }); // (b, heads, s, d)
  let x = embeds;
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    const bias = (n: string): string | undefined => (c.attentionBias ? `${p}.self_attn.${n}_proj.bias` : undefined);
    const h = rmsNorm(g, w, x, `${p}.input_layernorm.weight`, c.rmsNormEps);
    const q = applyRope(g, toHeads(linear(g, w, h, `${p}.self_attn.q_proj.weight`, bias('q'))), cos, sin, d);
    const k = applyRope(g, toHeads(linear(g, w, h, `${p}.self_attn.k_proj.weight`, bias('k'))), cos, sin, d);
    const v = toHeads(linear(g, w, h, `${p}.self_attn.v_proj.weight`, bias('v')));
    const pl = past[l] as { key: string; value: string };
    const keys = g.op('Concat', [pl.key, k], { axis: { int: 2 } }, `present.${l}.key`); // (b, heads, past+s, d)
    const values = g.op('Concat', [pl.value, v], { axis: { int: 2 } }, `present.${l}.value`);
    const o = attentionCore(g, q, keys, values, mask, d, 4); // (b, heads, s, d)
    const merged = g.op('Reshape', [g.op('Transpose', [o], { perm: { ints: [0, 2, 1, 3] } }), mergeShape]); // (b, s, H)
    x = g.op('Add', [x, linear(g, w, merged, `${p}.self_attn.o_proj.weight`)]);
    x = g.op('Add', [x, swiGlu(g, w, rmsNorm(g, w, x, `${p}.post_attention_layernorm.weight`, c.rmsNormEps), `${p}.mlp`)]);
  }
  const hidden = g.op('Identity', [rmsNorm(g, w, x, 'model.norm.weight', c.rmsNormEps)], {}, 'last_hidden_state');
  const e = w.get('model.embed_tokens.weight');
  const headT = g.initializer('lm_head.weight.T', 'float32', transpose2d(e.data, c.vocabSize, H), [H, c.vocabSize]); // tied: Eᵀ
  g.op('MatMul', [hidden, headT], {}, 'logits');
  g.output('logits', 'float32', ['batch', 'sequence', c.vocabSize]);
  g.output('last_hidden_state', 'float32', ['batch', 'sequence', H]);
  for (let l = 0; l < c.numLayers; l++) {
    for (const kind of ['key', 'value']) g.output(`present.${l}.${kind}`, 'float32', ['batch', heads, total, d]);
  }
  return g;
}

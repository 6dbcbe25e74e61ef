import { LvrError } from '@lvr/core';
import type { ModelConfig } from '../config.js';
import { GraphBuilder } from './graph-builder.js';
import { gelu, layerNorm, linear, silu, weightInit, type WeightSource } from './graph-ops.js';

/**
 * `embed_tokens.onnx`: `input_ids` i64 (batch, sequence) → `inputs_embeds` f32 (batch, sequence, H), a Gather of
 * the (tied) embedding table — the LVR/LIVR token rows included.
 *
 * @example
 * const bytes = buildEmbedGraph(config, weights).build();
 */
export function buildEmbedGraph(c: ModelConfig, w: WeightSource): GraphBuilder {
  const g = new GraphBuilder('embed_tokens', 'token embeddings');
  const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
  const table = weightInit(g, w, 'model.embed_tokens.weight'); // (V, H)
  g.op('Gather', [table, ids], { axis: { int: 0 } }, 'inputs_embeds');
  g.output('inputs_embeds', 'float32', ['batch', 'sequence', c.hiddenSize]);
  return g;
}

/**
 * `lvr_head.onnx` (only when `config.lvr.head ≠ none`): `hidden_states` f32 (batch, H) → `latent` f32 (batch, H),
 * as `applyLvrHead` (`simple` = LayerNorm → Linear → GELU → Linear; `glu` = down(silu(gate) ⊙ up), biases).
 *
 * @example
 * const bytes = buildLvrHeadGraph(config, weights).build();
 */
export function buildLvrHeadGraph(c: ModelConfig, w: WeightSource): GraphBuilder {
  if (c.lvr.head === 'none') throw new LvrError('INVALID_ARGUMENT', 'buildLvrHeadGraph: the model has no LVR head (lvr_head = none)');
  const g = new GraphBuilder('lvr_head', `LVR head (${c.lvr.head})`);
  const h = g.input('hidden_states', 'float32', ['batch', c.hiddenSize]);
  let out: string;
  if (c.lvr.head === 'simple') {
    const n = layerNorm(g, w, h, 'lvr_head.ln.weight', 'lvr_head.ln.bias', 1e-6);
    const a = gelu(g, linear(g, w, n, 'lvr_head.fc1.weight', 'lvr_head.fc1.bias'));
    out = linear(g, w, a, 'lvr_head.fc2.weight', 'lvr_head.fc2.bias');
  } else {
    const gate = linear(g, w, h, 'lvr_head.gate.weight', 'lvr_head.gate.bias');
    const up = linear(g, w, h, 'lvr_head.up.weight', 'lvr_head.up.bias');
    out = linear(g, w, g.op('Mul', [silu(g, gate), up]), 'lvr_head.down.weight', 'lvr_head.down.bias');
  }
  g.op('Identity', [out], {}, 'latent');
  g.output('latent', 'float32', ['batch', c.hiddenSize]);
  return g;
}

import * as tf from '@tensorflow/tfjs';
import { LvrError, Rng } from '@lvr/core';
import { patchRowWidth, type ModelConfig } from '../config.js';
import type { ParamStore } from '../train/param-store.js';

/** Modules for freezing (`vision` = patch embedding + ViT blocks; `merger`; `llm`; LVR extras). */
export type ModuleName = 'vision' | 'merger' | 'llm' | 'lvr_head' | 'latent_end' | 'pause' | 'lora';

export type { ParamEntry, ParamStore } from '../train/param-store.js';

interface Spec {
  name: string;
  shape: number[];
  init: 'normal' | 'zeros' | 'ones' | 'unit-sqrt';
  module: ModuleName;
}

/** Every parameter of a config, in a fixed order (the init order, so seeded init is reproducible). */
export function parameterSpecs(c: ModelConfig): Spec[] {
  const specs: Spec[] = [];
  const add = (name: string, shape: number[], init: Spec['init'], module: ModuleName): void => {
    specs.push({ name, shape, init, module });
  };
  const v = c.vision;
  const dv = v.hiddenSize;
  add('visual.patch_embed.proj.weight', [dv, patchRowWidth(v)], 'normal', 'vision');
  for (let i = 0; i < v.depth; i++) {
    const p = `visual.blocks.${i}`;
    add(`${p}.norm1.weight`, [dv], 'ones', 'vision');
    for (const n of ['q', 'k', 'v']) {
      add(`${p}.attn.${n}.weight`, [dv, dv], 'normal', 'vision');
      add(`${p}.attn.${n}.bias`, [dv], 'zeros', 'vision');
    }
    add(`${p}.attn.proj.weight`, [dv, dv], 'normal', 'vision');
    add(`${p}.attn.proj.bias`, [dv], 'zeros', 'vision');
    add(`${p}.norm2.weight`, [dv], 'ones', 'vision');
    add(`${p}.mlp.gate_proj.weight`, [v.intermediateSize, dv], 'normal', 'vision');
    add(`${p}.mlp.up_proj.weight`, [v.intermediateSize, dv], 'normal', 'vision');
    add(`${p}.mlp.down_proj.weight`, [dv, v.intermediateSize], 'normal', 'vision');
  }
  const m2 = v.spatialMergeSize * v.spatialMergeSize;
  add('visual.merger.ln_q.weight', [dv], 'ones', 'merger');
  add('visual.merger.mlp.0.weight', [dv * m2, dv * m2], 'normal', 'merger');
  add('visual.merger.mlp.0.bias', [dv * m2], 'zeros', 'merger');
  add('visual.merger.mlp.2.weight', [c.hiddenSize, dv * m2], 'normal', 'merger');
  add('visual.merger.mlp.2.bias', [c.hiddenSize], 'zeros', 'merger');
  const d = c.hiddenSize;
  add('model.embed_tokens.weight', [c.vocabSize, d], 'normal', 'llm');
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}`;
    add(`${p}.input_layernorm.weight`, [d], 'ones', 'llm');
    for (const n of ['q', 'k', 'v']) {
      add(`${p}.self_attn.${n}_proj.weight`, [d, d], 'normal', 'llm');
      if (c.attentionBias) add(`${p}.self_attn.${n}_proj.bias`, [d], 'zeros', 'llm');
    }
    add(`${p}.self_attn.o_proj.weight`, [d, d], 'normal', 'llm');
    add(`${p}.post_attention_layernorm.weight`, [d], 'ones', 'llm');
    add(`${p}.mlp.gate_proj.weight`, [c.intermediateSize, d], 'normal', 'llm');
    add(`${p}.mlp.up_proj.weight`, [c.intermediateSize, d], 'normal', 'llm');
    add(`${p}.mlp.down_proj.weight`, [d, c.intermediateSize], 'normal', 'llm');
  }
  add('model.norm.weight', [d], 'ones', 'llm');
  if (c.lvr.head === 'simple') {
    add('lvr_head.ln.weight', [d], 'ones', 'lvr_head');
    add('lvr_head.ln.bias', [d], 'zeros', 'lvr_head');
    add('lvr_head.fc1.weight', [d, d], 'normal', 'lvr_head');
    add('lvr_head.fc1.bias', [d], 'zeros', 'lvr_head');
    add('lvr_head.fc2.weight', [d, d], 'normal', 'lvr_head');
    add('lvr_head.fc2.bias', [d], 'zeros', 'lvr_head');
  } else if (c.lvr.head === 'glu') {
    add('lvr_head.gate.weight', [c.intermediateSize, d], 'normal', 'lvr_head');
    add('lvr_head.gate.bias', [c.intermediateSize], 'zeros', 'lvr_head');
    add('lvr_head.up.weight', [c.intermediateSize, d], 'normal', 'lvr_head');
    add('lvr_head.up.bias', [c.intermediateSize], 'zeros', 'lvr_head');
    add('lvr_head.down.weight', [d, c.intermediateSize], 'normal', 'lvr_head');
    add('lvr_head.down.bias', [d], 'zeros', 'lvr_head');
  }
  if (c.lvr.latentEndEmbedding) add('lvr_latent_end_emb', [d], 'unit-sqrt', 'latent_end');
  // Pause-K (latent feedback `pause`): P learned input rows, initialised like the token embeddings.
  if (c.lvr.pauseTokens > 0) add('lvr_pause_emb', [c.lvr.pauseTokens, d], 'normal', 'pause');
  if (c.lora) {
    for (let i = 0; i < c.numLayers; i++) {
      for (const t of c.lora.targets) {
        add(`model.layers.${i}.self_attn.${t}_proj.lora_A`, [c.lora.r, d], 'normal', 'lora');
        add(`model.layers.${i}.self_attn.${t}_proj.lora_B`, [d, c.lora.r], 'zeros', 'lora');
      }
    }
  }
  return specs;
}

/** True for parameters that AdamW should decay: matrices only (not norms, biases, embeddings-as-vectors). */
export function decays(name: string, shape: readonly number[]): boolean {
  return shape.length === 2 && !name.endsWith('.bias');
}

/**
 * Creates all parameters with a seeded init (values drawn in JS so every backend gets identical weights).
 *
 * @example
 * const params = initParams(config, new Rng(0));
 */
export function initParams(c: ModelConfig, rng: Rng): ParamStore {
  const store: ParamStore = new Map();
  for (const s of parameterSpecs(c)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (s.init === 'normal') for (let i = 0; i < n; i++) data[i] = rng.normal() * c.initializerRange;
    else if (s.init === 'ones') data.fill(1);
    else if (s.init === 'unit-sqrt') {
      let ss = 0;
      for (let i = 0; i < n; i++) { data[i] = rng.normal(); ss += (data[i] as number) ** 2; }
      const scale = Math.sqrt(n) / Math.sqrt(ss);
      for (let i = 0; i < n; i++) data[i] = (data[i] as number) * scale;
    }
    const init = tf.tensor(data, s.shape);
    const variable = tf.variable(init, true); // auto-named: several models may coexist
    init.dispose();
    store.set(s.name, { variable, module: s.module, decay: decays(s.name, s.shape), trainable: true });
  }
  return store;
}

/** A parameter's variable, or a clear error. */
export function param(store: ParamStore, name: string): tf.Variable {
  const e = store.get(name);
  if (!e) throw new LvrError('CHECKPOINT', `model parameter "${name}" is missing`);
  return e.variable;
}

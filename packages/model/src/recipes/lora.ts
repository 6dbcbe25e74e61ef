import * as tf from '@tensorflow/tfjs';
import { Rng } from '@lvr/core';
import { resolveModelConfig, type LoraConfig, type ModelConfig } from '../config.js';
import { initParams } from '../models/params.js';
import { MiniQwenVL } from '../models/vlm.js';
import { disposeParams } from '../train/param-store.js';

/**
 * A copy of `model` with LoRA adapters on the LM's attention projections (A ~ N(0, σ²), B = 0, so outputs are
 * unchanged until training moves B). The original model's variables are disposed.
 *
 * @example
 * const withLora = addLora(model, { r: 8, alpha: 16, targets: ['q', 'k', 'v', 'o'] }, 0);
 */
export function addLora(model: MiniQwenVL, lora: LoraConfig, seed: number): MiniQwenVL {
  const { lora: _old, ...rest } = model.config;
  const config = resolveModelConfig({ ...(rest as Omit<ModelConfig, 'lora'>), lora });
  const params = initParams(config, new Rng(seed));
  for (const [name, e] of model.params) params.get(name)!.variable.assign(e.variable);
  disposeParams(model.params);
  return MiniQwenVL.fromParams(config, params);
}

/**
 * Folds the adapters into the base weights (W ← W + (α/r)·B·A) and returns a plain model without LoRA (what is
 * saved and exported after LoRA training, like PEFT's merge). The input model's variables are disposed.
 */
export function mergeLora(model: MiniQwenVL): MiniQwenVL {
  const lora = model.config.lora;
  if (!lora) return model;
  const { lora: _l, ...rest } = model.config;
  const config = resolveModelConfig({ ...(rest as Omit<ModelConfig, 'lora'>), lora: null });
  const params = initParams(config, new Rng(0));
  for (const [name, e] of params) {
    const src = model.params.get(name)!.variable;
    const m = /^model\.layers\.(\d+)\.self_attn\.([qkvo])_proj\.weight$/.exec(name);
    if (m && lora.targets.includes(m[2] as LoraConfig['targets'][number])) {
      const a = model.params.get(`model.layers.${m[1]}.self_attn.${m[2]}_proj.lora_A`)!.variable;
      const b = model.params.get(`model.layers.${m[1]}.self_attn.${m[2]}_proj.lora_B`)!.variable;
      tf.tidy(() => e.variable.assign(tf.add(src, tf.mul(tf.matMul(b, a), lora.alpha / lora.r))));
    } else {
      e.variable.assign(src);
    }
  }
  disposeParams(model.params);
  return MiniQwenVL.fromParams(config, params);
}

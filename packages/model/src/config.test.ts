import { describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { configFromJson, configToJson, resolveModelConfig, type ModelConfig } from './config.js';
import { MODEL_CONFIG_LIMITS } from './config-schema.js';
import { TINY_TOKENS, tinyConfig } from './testing.js';

type Json = Record<string, unknown>;

/** The tiny config as config.json, with `edit` applied. */
function json(edit: (j: Json) => void = () => {}): Json {
  const j = structuredClone(configToJson(tinyConfig({ lora: { r: 2, alpha: 4, targets: ['q', 'v'] } }))) as Json;
  edit(j);
  return j;
}

/** The CONFIG_INVALID message of `fn`. */
function invalid(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isLvrError(e) && e.code === 'CONFIG_INVALID') return e.message;
    throw e;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('configFromJson validates config.json before anything is allocated', () => {
  it('round-trips configToJson', () => {
    const c = tinyConfig({ lora: { r: 2, alpha: 4, targets: ['q', 'v'] }, lvr: { head: 'glu', latentEndEmbedding: true, pauseTokens: 3 } });
    expect(configFromJson(configToJson(c))).toEqual(c);
  });

  it('names a LoRA target that is not a string instead of crashing on it (target_modules: [1])', () => {
    const j = json((j) => { (j.lora as Json).target_modules = [1]; });
    expect(invalid(() => configFromJson(j, 'm/config.json'))).toBe(
      'm/config.json: lora.target_modules[0] must be one of q_proj | k_proj | v_proj | o_proj | q | k | v | o, got 1',
    );
  });

  it('bounds every size before the parameter count is taken (hidden_size 2^40, intermediate_size 1e308, num_hidden_layers 1e308)', () => {
    expect(invalid(() => configFromJson(json((j) => { j.hidden_size = 2 ** 40; }), 'config.json'))).toBe(
      'config.json: hidden_size must be an integer in 1..65536, got 1099511627776',
    );
    expect(invalid(() => configFromJson(json((j) => { (j.vision_config as Json).hidden_size = 2 ** 40; }), 'config.json'))).toBe(
      'config.json: vision_config.hidden_size must be an integer in 1..65536, got 1099511627776',
    );
    expect(invalid(() => configFromJson(json((j) => { j.intermediate_size = 1e308; })))).toBe(
      'config.json: intermediate_size must be an integer in 1..1048576, got 1e+308',
    );
    expect(invalid(() => configFromJson(json((j) => { j.num_hidden_layers = 1e308; })))).toBe(
      'config.json: num_hidden_layers must be an integer in 1..1024, got 1e+308',
    );
  });

  it('rejects sizes that are each in range but together exceed the parameter cap, and lets the cap be raised', () => {
    const big = json((j) => { j.hidden_size = 65_536; j.num_attention_heads = 8; j.rope_scaling = { mrope_section: [1364, 1364, 1368] }; });
    expect(invalid(() => configFromJson(big))).toMatch(/^config\.json: the model would have \d+ parameters, more than the cap of 268435456 \(raise it/);
    expect(invalid(() => configFromJson(json(), 'config.json', { maxParameters: 1000 }))).toMatch(/more than the cap of 1000/);
    expect(invalid(() => configFromJson(json(), 'config.json', { maxParameters: 2 ** 40 }))).toBe(`maxParameters must be an integer in 1..${2 ** 32}, got ${2 ** 40}`);
  });

  it('reports wrong types, missing fields and broken invariants with config.json\'s field paths', () => {
    expect(invalid(() => configFromJson(json((j) => { delete j.vision_config; })))).toBe('config.json: vision_config must be an object, got nothing (missing)');
    expect(invalid(() => configFromJson(json((j) => { j.rope_scaling = { mrope_section: [1, 1] }; })))).toBe(
      'config.json: rope_scaling.mrope_section must be three integers [t, h, w], got an array of length 2',
    );
    expect(invalid(() => configFromJson(json((j) => { j.rms_norm_eps = '1e-6'; j.attention_bias = 'yes'; })))).toBe(
      'config.json: rms_norm_eps must be a finite number > 0, got "1e-6"; attention_bias must be true or false, got "yes"',
    );
    expect(invalid(() => configFromJson(json((j) => { j.num_attention_heads = 3; })))).toBe(
      'config.json: hidden_size (16) must be divisible by num_attention_heads (3)',
    );
    expect(invalid(() => configFromJson(json((j) => { j.latent_token_ids = [9, 40]; })))).toBe(
      'config.json: latent_token_ids[1] = 40 is not a valid id for vocab_size 40',
    );
    expect(invalid(() => configFromJson(json((j) => { j.lvr_head = 'mlp'; })))).toBe('config.json: lvr_head must be one of none | simple | glu, got "mlp"');
    expect(invalid(() => configFromJson(json((j) => { j.model_type = 'qwen2_5_vl'; })))).toBe('config.json: model_type must be "lvr-mini-qwen2.5-vl", got "qwen2_5_vl"');
    expect(invalid(() => configFromJson([1, 2]))).toBe('config.json: must be an object, got an array of length 2');
  });

  it('ignores keys it does not use (HF configs carry many)', () => {
    expect(configFromJson(json((j) => { j.hidden_act = 'silu'; j.transformers_version = '4.49.0'; })).hiddenSize).toBe(16);
  });
});

describe('resolveModelConfig', () => {
  it('fills the defaults and freezes', () => {
    const c = resolveModelConfig({ vocabSize: 40, tokens: { ...TINY_TOKENS, latentIds: [] } });
    expect([c.hiddenSize, c.numLayers, c.vision.patchSize, c.lora, c.lvr.head]).toEqual([64, 2, 8, null, 'none']);
    expect(Object.isFrozen(c.vision)).toBe(true);
  });

  it('checks programmatic input field by field with camelCase paths, unknown fields included', () => {
    const tokens = { ...TINY_TOKENS, latentIds: [] };
    expect(invalid(() => resolveModelConfig({ vocabSize: 40, tokens, vision: { hiddenSize: 2 ** 40 } }))).toBe(
      'model config: vision.hiddenSize must be an integer in 1..65536, got 1099511627776',
    );
    expect(invalid(() => resolveModelConfig({ vocabSize: 40, tokens, lora: { r: 2, alpha: 1, targets: [1 as unknown as 'q'] } }))).toBe(
      'model config: lora.targets[0] must be one of q | k | v | o, got 1',
    );
    expect(invalid(() => resolveModelConfig({ vocabSize: 40, tokens, hidden_size: 8 } as never))).toBe('model config: hidden_size is not a known field');
    expect(invalid(() => resolveModelConfig({ tokens } as never))).toBe(`model config: vocabSize must be an integer in 1..${MODEL_CONFIG_LIMITS.vocabSize}, got nothing (missing)`);
    expect(invalid(() => resolveModelConfig({ vocabSize: 8, tokens }))).toMatch(/^model config: tokens\.lvrEndId = 8 is not a valid id for vocabSize 8$/);
  });

  it('re-resolves a resolved config unchanged (what addLora and the pause embedding do)', () => {
    const c = tinyConfig();
    expect(resolveModelConfig({ ...(c as ModelConfig) })).toEqual(c);
  });
});

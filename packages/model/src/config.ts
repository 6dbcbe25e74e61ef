import { LvrError } from '@lvr/core';

/** Vision tower (ViT + 2×2 merger) sizes. Field names follow HF's Qwen2.5-VL `vision_config`. */
export interface VisionConfig {
  /** Pixels per patch side (Qwen: 14; miniature: 8). */
  patchSize: number;
  /** Frames per temporal patch (Qwen: 2; a still image is duplicated). */
  temporalPatchSize: number;
  /** Merge block side (Qwen: 2 → 4 patches per LLM token). */
  spatialMergeSize: number;
  /** Colour channels (3). */
  inChannels: number;
  /** ViT width. */
  hiddenSize: number;
  /** Number of ViT blocks. */
  depth: number;
  /** ViT attention heads (hiddenSize must divide). */
  numHeads: number;
  /** ViT SwiGLU hidden width. */
  intermediateSize: number;
}

/** LVR-specific optional modules (see docs/training-lvr.md). */
export interface LvrModulesConfig {
  /** Optional head on the hidden state that predicts the next latent (`simple` = LN→Linear→GELU→Linear, `glu`). */
  head: 'none' | 'simple' | 'glu';
  /** Learned `<|lvr_latent_end|>` embedding used by the latent-end stop strategy. */
  latentEndEmbedding: boolean;
  /**
   * P learned pause embeddings `lvr_pause_emb` (P × D) for the `pause` latent feedback (the compute control):
   * the t-th latent of a span is fed row min(t, P − 1). 0 = absent (default). `config.json`: `lvr_pause_tokens`.
   */
  pauseTokens: number;
}

/** Special-token ids the model needs (from the tokenizer; stored in config.json like the reference). */
export interface TokenIdsConfig {
  imagePadId: number;
  visionStartId: number;
  visionEndId: number;
  eosId: number;
  padId: number;
  lvrStartId: number;
  lvrId: number;
  lvrLatentEndId: number;
  lvrEndId: number;
  /** LIVR latent token ids, in order (empty when not added). */
  latentIds: number[];
}

/** LoRA adapters on the LM's attention projections: W' = W + (α / r)·B·A (B starts at zero). */
export interface LoraConfig {
  r: number;
  alpha: number;
  /** Which projections get adapters. */
  targets: ('q' | 'k' | 'v' | 'o')[];
}

/** Full model config: a miniature Qwen2.5-VL (ViT → merger → decoder-only LM with M-RoPE, tied embeddings). */
export interface ModelConfig {
  modelType: 'lvr-mini-qwen2.5-vl';
  vision: VisionConfig;
  /** LM width. */
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  /** SwiGLU hidden width of the LM. */
  intermediateSize: number;
  vocabSize: number;
  rmsNormEps: number;
  ropeTheta: number;
  /** M-RoPE split of the rotary half-dimension over (t, h, w); sums to headDim / 2. Qwen: [16, 24, 24]. */
  mropeSection: [number, number, number];
  /** q/k/v projections with bias, as in Qwen2. */
  attentionBias: boolean;
  tieWordEmbeddings: true;
  tokens: TokenIdsConfig;
  lvr: LvrModulesConfig;
  /** LoRA adapters (LIVR's parameter-efficient option), or null. */
  lora: LoraConfig | null;
  /** Standard deviation of the normal init of weights. */
  initializerRange: number;
}

export type ModelConfigInput = Partial<Omit<ModelConfig, 'vision' | 'tokens' | 'lvr' | 'lora'>> & {
  lora?: LoraConfig | null | undefined;
  vision?: Partial<VisionConfig>;
  tokens: TokenIdsConfig;
  lvr?: Partial<LvrModulesConfig>;
};

/** Default miniature sizes: ~0.3M parameters, 64-px images → 16 visual tokens (see docs/model.md). */
export const DEFAULT_VISION: VisionConfig = Object.freeze({
  patchSize: 8,
  temporalPatchSize: 2,
  spatialMergeSize: 2,
  inChannels: 3,
  hiddenSize: 64,
  depth: 1,
  numHeads: 4,
  intermediateSize: 128,
});

/** Fills defaults, validates cross-field invariants and freezes. */
export function resolveModelConfig(input: ModelConfigInput): Readonly<ModelConfig> {
  const vision: VisionConfig = { ...DEFAULT_VISION, ...(input.vision ?? {}) };
  const cfg: ModelConfig = {
    modelType: 'lvr-mini-qwen2.5-vl',
    hiddenSize: input.hiddenSize ?? 64,
    numLayers: input.numLayers ?? 2,
    numHeads: input.numHeads ?? 4,
    intermediateSize: input.intermediateSize ?? 176,
    vocabSize: input.vocabSize ?? 0,
    rmsNormEps: input.rmsNormEps ?? 1e-6,
    ropeTheta: input.ropeTheta ?? 10000,
    mropeSection: input.mropeSection ?? [2, 3, 3],
    attentionBias: input.attentionBias ?? true,
    tieWordEmbeddings: true,
    initializerRange: input.initializerRange ?? 0.02,
    vision,
    tokens: { ...input.tokens, latentIds: [...(input.tokens.latentIds ?? [])] },
    lvr: { head: input.lvr?.head ?? 'none', latentEndEmbedding: input.lvr?.latentEndEmbedding ?? false, pauseTokens: input.lvr?.pauseTokens ?? 0 },
    lora: input.lora ? { r: input.lora.r, alpha: input.lora.alpha, targets: [...input.lora.targets] } : null,
  };
  validate(cfg);
  return deepFreeze(cfg);
}

function fail(msg: string): never {
  throw new LvrError('CONFIG_INVALID', `model config: ${msg}`);
}

function posInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) fail(`${name} must be a positive integer, got ${v}`);
}

function validate(c: ModelConfig): void {
  for (const k of ['hiddenSize', 'numLayers', 'numHeads', 'intermediateSize', 'vocabSize'] as const) posInt(k, c[k]);
  for (const k of ['patchSize', 'temporalPatchSize', 'spatialMergeSize', 'inChannels', 'hiddenSize', 'depth', 'numHeads', 'intermediateSize'] as const) {
    posInt(`vision.${k}`, c.vision[k]);
  }
  if (c.hiddenSize % c.numHeads !== 0) fail(`hiddenSize ${c.hiddenSize} is not divisible by numHeads ${c.numHeads}`);
  const headDim = c.hiddenSize / c.numHeads;
  if (headDim % 2 !== 0) fail(`head dim ${headDim} must be even for rotary embeddings`);
  const sec = c.mropeSection;
  if (sec.length !== 3 || sec.some((s) => !Number.isInteger(s) || s < 0) || sec[0] + sec[1] + sec[2] !== headDim / 2) {
    fail(`mropeSection [${sec.join(', ')}] must be three non-negative integers summing to headDim/2 = ${headDim / 2}`);
  }
  if (c.vision.hiddenSize % c.vision.numHeads !== 0) fail('vision.hiddenSize must be divisible by vision.numHeads');
  const vHead = c.vision.hiddenSize / c.vision.numHeads;
  if (vHead % 4 !== 0) fail(`vision head dim ${vHead} must be a multiple of 4 (2-D rotary: half rows, half columns)`);
  if (!(c.rmsNormEps > 0)) fail('rmsNormEps must be > 0');
  if (!(c.ropeTheta > 0)) fail('ropeTheta must be > 0');
  const t = c.tokens;
  for (const k of ['imagePadId', 'visionStartId', 'visionEndId', 'eosId', 'padId', 'lvrStartId', 'lvrId', 'lvrLatentEndId', 'lvrEndId'] as const) {
    const id = t[k];
    if (!Number.isInteger(id) || id < 0 || id >= c.vocabSize) fail(`tokens.${k} = ${id} is not a valid id for vocabSize ${c.vocabSize}`);
  }
  for (const id of t.latentIds) if (!Number.isInteger(id) || id < 0 || id >= c.vocabSize) fail(`latent id ${id} out of range`);
  if (!['none', 'simple', 'glu'].includes(c.lvr.head)) fail(`lvr.head must be none | simple | glu, got ${c.lvr.head}`);
  if (!Number.isInteger(c.lvr.pauseTokens) || c.lvr.pauseTokens < 0 || c.lvr.pauseTokens > 4096) fail(`lvr.pauseTokens must be an integer in 0..4096, got ${c.lvr.pauseTokens}`);
  if (c.lora) {
    posInt('lora.r', c.lora.r);
    if (!(c.lora.alpha > 0)) fail(`lora.alpha must be > 0, got ${c.lora.alpha}`);
    if (c.lora.targets.length === 0 || c.lora.targets.some((t) => !['q', 'k', 'v', 'o'].includes(t))) fail(`lora.targets must be a non-empty subset of q, k, v, o, got [${c.lora.targets.join(', ')}]`);
  }
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o as object)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Head dimension of the LM. */
export function headDim(c: ModelConfig): number {
  return c.hiddenSize / c.numHeads;
}

/** Width of one patch row fed to the ViT (3·T·P·P; 1176 for Qwen). */
export function patchRowWidth(v: VisionConfig): number {
  return v.inChannels * v.temporalPatchSize * v.patchSize * v.patchSize;
}

/** Serialises to an HF-style `config.json` object (snake_case, like transformers). */
export function configToJson(c: ModelConfig): Record<string, unknown> {
  return {
    model_type: c.modelType,
    architectures: ['LvrMiniQwen2_5_VLForConditionalGeneration'],
    hidden_size: c.hiddenSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numHeads,
    intermediate_size: c.intermediateSize,
    vocab_size: c.vocabSize,
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    rope_scaling: { type: 'mrope', mrope_section: c.mropeSection },
    attention_bias: c.attentionBias,
    tie_word_embeddings: c.tieWordEmbeddings,
    hidden_act: 'silu',
    initializer_range: c.initializerRange,
    vision_config: {
      patch_size: c.vision.patchSize,
      temporal_patch_size: c.vision.temporalPatchSize,
      spatial_merge_size: c.vision.spatialMergeSize,
      in_chans: c.vision.inChannels,
      hidden_size: c.vision.hiddenSize,
      depth: c.vision.depth,
      num_heads: c.vision.numHeads,
      intermediate_size: c.vision.intermediateSize,
      out_hidden_size: c.hiddenSize,
    },
    image_token_id: c.tokens.imagePadId,
    vision_start_token_id: c.tokens.visionStartId,
    vision_end_token_id: c.tokens.visionEndId,
    eos_token_id: c.tokens.eosId,
    pad_token_id: c.tokens.padId,
    lvr_start_id: c.tokens.lvrStartId,
    lvr_id: c.tokens.lvrId,
    lvr_latent_end_id: c.tokens.lvrLatentEndId,
    lvr_end_id: c.tokens.lvrEndId,
    latent_token_ids: c.tokens.latentIds,
    lvr_head: c.lvr.head,
    lvr_latent_end_embedding: c.lvr.latentEndEmbedding,
    ...(c.lvr.pauseTokens > 0 ? { lvr_pause_tokens: c.lvr.pauseTokens } : {}),
    ...(c.lora ? { lora: { r: c.lora.r, lora_alpha: c.lora.alpha, target_modules: c.lora.targets.map((t) => `${t}_proj`) } } : {}),
  };
}

/** Parses an HF-style `config.json` object written by `configToJson`. */
export function configFromJson(j: Record<string, unknown>, file = 'config.json'): Readonly<ModelConfig> {
  const num = (k: string, o: Record<string, unknown> = j): number => {
    const v = o[k];
    if (typeof v !== 'number') throw new LvrError('CONFIG_INVALID', `${file}: field "${k}" must be a number, got ${JSON.stringify(v)}`);
    return v;
  };
  const vc = j.vision_config as Record<string, unknown> | undefined;
  if (!vc || typeof vc !== 'object') throw new LvrError('CONFIG_INVALID', `${file}: missing "vision_config"`);
  const rs = j.rope_scaling as { mrope_section?: unknown } | undefined;
  const sec = rs?.mrope_section;
  if (!Array.isArray(sec) || sec.length !== 3) throw new LvrError('CONFIG_INVALID', `${file}: "rope_scaling.mrope_section" must be a 3-element array`);
  const head = (j.lvr_head ?? 'none') as LvrModulesConfig['head'];
  return resolveModelConfig({
    hiddenSize: num('hidden_size'),
    numLayers: num('num_hidden_layers'),
    numHeads: num('num_attention_heads'),
    intermediateSize: num('intermediate_size'),
    vocabSize: num('vocab_size'),
    rmsNormEps: num('rms_norm_eps'),
    ropeTheta: num('rope_theta'),
    mropeSection: sec as [number, number, number],
    attentionBias: j.attention_bias !== false,
    initializerRange: typeof j.initializer_range === 'number' ? j.initializer_range : 0.02,
    vision: {
      patchSize: num('patch_size', vc),
      temporalPatchSize: num('temporal_patch_size', vc),
      spatialMergeSize: num('spatial_merge_size', vc),
      inChannels: num('in_chans', vc),
      hiddenSize: num('hidden_size', vc),
      depth: num('depth', vc),
      numHeads: num('num_heads', vc),
      intermediateSize: num('intermediate_size', vc),
    },
    tokens: {
      imagePadId: num('image_token_id'),
      visionStartId: num('vision_start_token_id'),
      visionEndId: num('vision_end_token_id'),
      eosId: num('eos_token_id'),
      padId: num('pad_token_id'),
      lvrStartId: num('lvr_start_id'),
      lvrId: num('lvr_id'),
      lvrLatentEndId: num('lvr_latent_end_id'),
      lvrEndId: num('lvr_end_id'),
      latentIds: latentTokenIds(j.latent_token_ids, file),
    },
    lvr: { head, latentEndEmbedding: j.lvr_latent_end_embedding === true, pauseTokens: j.lvr_pause_tokens === undefined ? 0 : num('lvr_pause_tokens') },
    lora: parseLora(j.lora, file),
  });
}

/** `latent_token_ids`: absent → none; else an array of non-negative integer token ids. */
function latentTokenIds(v: unknown, file: string): number[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((id) => Number.isSafeInteger(id) && (id as number) >= 0)) {
    throw new LvrError('CONFIG_INVALID', `${file}: field "latent_token_ids" must be an array of token ids (non-negative integers), got ${JSON.stringify(v)}`);
  }
  return [...(v as number[])];
}

function parseLora(v: unknown, file: string): LoraConfig | null {
  if (v === undefined || v === null) return null;
  const o = v as { r?: unknown; lora_alpha?: unknown; target_modules?: unknown };
  if (typeof o.r !== 'number' || typeof o.lora_alpha !== 'number' || !Array.isArray(o.target_modules)) {
    throw new LvrError('CONFIG_INVALID', `${file}: "lora" must be {r, lora_alpha, target_modules}`);
  }
  return { r: o.r, alpha: o.lora_alpha, targets: (o.target_modules as string[]).map((t) => t.replace(/_proj$/, '') as LoraConfig['targets'][number]) };
}

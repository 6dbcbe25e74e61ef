import type * as z from 'zod';
import { issuesError, parseWith, type ParseErrorContext } from '@lvr/data';
import { configJsonField, modelConfigInputSchema, modelConfigInvariants, modelConfigJsonSchema } from './config-schema.js';
import { resolveMaxParameters } from './config-size.js';

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

export type ModelConfigInput = Partial<Omit<ModelConfig, 'vision' | 'tokens' | 'lvr' | 'lora' | 'vocabSize'>> & {
  vocabSize: number;
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

/** Options of {@link resolveModelConfig} and {@link configFromJson}. */
export interface ModelConfigOptions {
  /**
   * Largest parameter count accepted; default `LVR_MAX_PARAMETERS` or `DEFAULT_MAX_PARAMETERS` (2^28). A
   * config above it is rejected before any weight is allocated.
   */
  maxParameters?: number | undefined;
}

/**
 * Validates every field (types and ranges, `modelConfigInputSchema`), fills defaults, checks the invariants
 * between fields and the parameter cap, and freezes. Throws `CONFIG_INVALID` naming each field:
 * `model config: vision.hiddenSize must be an integer in 1..65536, got 1099511627776`.
 *
 * @example
 * const config = resolveModelConfig({ ...MODEL_SIZES.demo, vocabSize: 160, tokens });
 */
export function resolveModelConfig(input: ModelConfigInput, options: ModelConfigOptions = {}): Readonly<ModelConfig> {
  const ctx: ParseErrorContext = { code: 'CONFIG_INVALID', where: 'model config' };
  const checked = parseWith(modelConfigInputSchema, input, ctx);
  return withInvariants(withDefaults(checked), resolveMaxParameters(options.maxParameters), ctx, (f) => f);
}

/** The input (already checked field by field) with every default filled in. */
function withDefaults(input: z.output<typeof modelConfigInputSchema>): ModelConfig {
  return {
    modelType: 'lvr-mini-qwen2.5-vl',
    hiddenSize: input.hiddenSize ?? 64,
    numLayers: input.numLayers ?? 2,
    numHeads: input.numHeads ?? 4,
    intermediateSize: input.intermediateSize ?? 176,
    vocabSize: input.vocabSize,
    rmsNormEps: input.rmsNormEps ?? 1e-6,
    ropeTheta: input.ropeTheta ?? 10000,
    mropeSection: input.mropeSection ?? [2, 3, 3],
    attentionBias: input.attentionBias ?? true,
    tieWordEmbeddings: true,
    initializerRange: input.initializerRange ?? 0.02,
    vision: { ...DEFAULT_VISION, ...stripUndefined(input.vision ?? {}) },
    tokens: { ...input.tokens, latentIds: [...(input.tokens.latentIds ?? [])] },
    lvr: { head: input.lvr?.head ?? 'none', latentEndEmbedding: input.lvr?.latentEndEmbedding ?? false, pauseTokens: input.lvr?.pauseTokens ?? 0 },
    lora: input.lora ? { r: input.lora.r, alpha: input.lora.alpha, targets: [...input.lora.targets] } : null,
  };
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]-?: Exclude<T[K], undefined> };
}

/** Checks the cross-field invariants and the parameter cap, then freezes. */
function withInvariants(cfg: ModelConfig, maxParameters: number, ctx: ParseErrorContext, name: (field: string) => string): Readonly<ModelConfig> {
  const issues = modelConfigInvariants(cfg, maxParameters, name);
  if (issues.length > 0) throw issuesError(issues, ctx);
  return deepFreeze(cfg);
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

/**
 * Parses an HF-style `config.json` object written by `configToJson` (`modelConfigJsonSchema`): every field is
 * checked for type and range, then the invariants between fields and the parameter cap, all before anything is
 * allocated. Throws `CONFIG_INVALID` naming `file` and config.json's field path:
 * `runs/a/config.json: vision_config.hidden_size must be an integer in 1..65536, got 1099511627776`.
 *
 * @example
 * const config = configFromJson(JSON.parse(await readFile('runs/a/config.json', 'utf8')), 'runs/a/config.json');
 */
export function configFromJson(j: unknown, file = 'config.json', options: ModelConfigOptions = {}): Readonly<ModelConfig> {
  const ctx: ParseErrorContext = { code: 'CONFIG_INVALID', where: file, details: { file } };
  const input = parseWith(modelConfigJsonSchema, j, ctx);
  // the JSON schema holds every field to the limits of the input schema, so this parse only fills the types
  const checked = parseWith(modelConfigInputSchema, input, ctx);
  return withInvariants(withDefaults(checked), resolveMaxParameters(options.maxParameters), ctx, configJsonField);
}

import * as z from 'zod';
import { flag, finiteFrom, intIn, MAX_VOCAB_SIZE, oneOf, type FieldIssue } from '@lvr/data';
import type { LoraConfig, ModelConfig, ModelConfigInput } from './config.js';
import { parameterCount } from './config-size.js';

/**
 * The schemas of a model config: the per-field limits (shared by the programmatic input and `config.json`), the
 * cross-field invariants, and the parameter cap. Every size is bounded so that no product of sizes can overflow
 * a typed array before the parameter count is checked.
 */
export const MODEL_CONFIG_LIMITS = Object.freeze({
  /** LM and ViT width. */
  hiddenSize: 65_536,
  /** LM and ViT SwiGLU width. */
  intermediateSize: 1_048_576,
  /** LM layers and ViT blocks. */
  layers: 1024,
  /** Attention heads (LM and ViT). */
  heads: 1024,
  /** Vocabulary (the tokenizer's bound, `MAX_VOCAB_SIZE`). */
  vocabSize: MAX_VOCAB_SIZE,
  /** Pixels per patch side. */
  patchSize: 1024,
  /** Frames per temporal patch, merge block side, colour channels. */
  smallDim: 64,
  /** LIVR latent tokens, `lvr_pause_emb` rows. */
  latentTokens: 4096,
  /** LoRA rank. */
  loraRank: 65_536,
});

const L = MODEL_CONFIG_LIMITS;
const hiddenSize = intIn(1, L.hiddenSize);
const intermediateSize = intIn(1, L.intermediateSize);
const layers = intIn(1, L.layers);
const heads = intIn(1, L.heads);
const smallDim = intIn(1, L.smallDim);
const tokenId = intIn(0, L.vocabSize - 1);
const latentIds = z.array(z.unknown(), { error: 'must be an array of token ids (integers ≥ 0)' })
  .max(L.latentTokens)
  .pipe(z.array(tokenId));
const pauseTokens = intIn(0, L.latentTokens);
const positive = finiteFrom(0, true);
const mropeSection = z.tuple([intIn(0, L.hiddenSize), intIn(0, L.hiddenSize), intIn(0, L.hiddenSize)], {
  error: 'must be three integers [t, h, w]',
});
const lvrHead = oneOf(['none', 'simple', 'glu']);
const LORA_TARGETS = ['q', 'k', 'v', 'o'] as const;

const visionInput = z.strictObject({
  patchSize: intIn(1, L.patchSize).optional(),
  temporalPatchSize: smallDim.optional(),
  spatialMergeSize: smallDim.optional(),
  inChannels: smallDim.optional(),
  hiddenSize: hiddenSize.optional(),
  depth: layers.optional(),
  numHeads: heads.optional(),
  intermediateSize: intermediateSize.optional(),
});

const tokensInput = z.strictObject({
  imagePadId: tokenId,
  visionStartId: tokenId,
  visionEndId: tokenId,
  eosId: tokenId,
  padId: tokenId,
  lvrStartId: tokenId,
  lvrId: tokenId,
  lvrLatentEndId: tokenId,
  lvrEndId: tokenId,
  latentIds: latentIds.optional(),
});

const loraInput = z.strictObject({
  r: intIn(1, L.loraRank),
  alpha: positive,
  targets: z.array(oneOf(LORA_TARGETS)).min(1),
});

/** The programmatic input of `resolveModelConfig` (camelCase; everything but `tokens` optional). */
export const modelConfigInputSchema = z.strictObject({
  modelType: z.literal('lvr-mini-qwen2.5-vl').optional(),
  vision: visionInput.optional(),
  hiddenSize: hiddenSize.optional(),
  numLayers: layers.optional(),
  numHeads: heads.optional(),
  intermediateSize: intermediateSize.optional(),
  vocabSize: intIn(1, L.vocabSize),
  rmsNormEps: positive.optional(),
  ropeTheta: positive.optional(),
  mropeSection: mropeSection.optional(),
  attentionBias: flag().optional(),
  tieWordEmbeddings: z.literal(true).optional(),
  tokens: tokensInput,
  lvr: z.strictObject({ head: lvrHead.optional(), latentEndEmbedding: flag().optional(), pauseTokens: pauseTokens.optional() }).optional(),
  lora: loraInput.nullish(),
  initializerRange: finiteFrom(0).optional(),
});

/** `target_modules` entries: `q_proj` (PEFT's names) or `q`. */
const loraTargetJson = oneOf(['q_proj', 'k_proj', 'v_proj', 'o_proj', 'q', 'k', 'v', 'o']);

/**
 * An HF-style `config.json` as `configToJson` writes it, parsed into a `ModelConfigInput`. Unknown keys
 * (`architectures`, `hidden_act`, …) are ignored; the fields the model needs are required unless they have a
 * documented default (`initializer_range`, `attention_bias`, `latent_token_ids`, `lvr_*`, `lora`).
 */
export const modelConfigJsonSchema = z
  .looseObject({
    model_type: z.literal('lvr-mini-qwen2.5-vl').optional(),
    hidden_size: hiddenSize,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    intermediate_size: intermediateSize,
    vocab_size: intIn(1, L.vocabSize),
    rms_norm_eps: positive,
    rope_theta: positive,
    rope_scaling: z.looseObject({ mrope_section: mropeSection }),
    attention_bias: flag().optional(),
    tie_word_embeddings: z.literal(true).optional(),
    initializer_range: finiteFrom(0).optional(),
    vision_config: z.looseObject({
      patch_size: intIn(1, L.patchSize),
      temporal_patch_size: smallDim,
      spatial_merge_size: smallDim,
      in_chans: smallDim,
      hidden_size: hiddenSize,
      depth: layers,
      num_heads: heads,
      intermediate_size: intermediateSize,
    }),
    image_token_id: tokenId,
    vision_start_token_id: tokenId,
    vision_end_token_id: tokenId,
    eos_token_id: tokenId,
    pad_token_id: tokenId,
    lvr_start_id: tokenId,
    lvr_id: tokenId,
    lvr_latent_end_id: tokenId,
    lvr_end_id: tokenId,
    latent_token_ids: latentIds.optional(),
    lvr_head: lvrHead.optional(),
    lvr_latent_end_embedding: flag().optional(),
    lvr_pause_tokens: pauseTokens.optional(),
    lora: z.looseObject({ r: intIn(1, L.loraRank), lora_alpha: positive, target_modules: z.array(loraTargetJson).min(1) }).nullish(),
  })
  .transform((j): ModelConfigInput => {
    const vc = j.vision_config;
    return {
      hiddenSize: j.hidden_size,
      numLayers: j.num_hidden_layers,
      numHeads: j.num_attention_heads,
      intermediateSize: j.intermediate_size,
      vocabSize: j.vocab_size,
      rmsNormEps: j.rms_norm_eps,
      ropeTheta: j.rope_theta,
      mropeSection: j.rope_scaling.mrope_section,
      attentionBias: j.attention_bias ?? true,
      initializerRange: j.initializer_range ?? 0.02,
      vision: {
        patchSize: vc.patch_size,
        temporalPatchSize: vc.temporal_patch_size,
        spatialMergeSize: vc.spatial_merge_size,
        inChannels: vc.in_chans,
        hiddenSize: vc.hidden_size,
        depth: vc.depth,
        numHeads: vc.num_heads,
        intermediateSize: vc.intermediate_size,
      },
      tokens: {
        imagePadId: j.image_token_id,
        visionStartId: j.vision_start_token_id,
        visionEndId: j.vision_end_token_id,
        eosId: j.eos_token_id,
        padId: j.pad_token_id,
        lvrStartId: j.lvr_start_id,
        lvrId: j.lvr_id,
        lvrLatentEndId: j.lvr_latent_end_id,
        lvrEndId: j.lvr_end_id,
        latentIds: j.latent_token_ids ?? [],
      },
      lvr: { head: j.lvr_head ?? 'none', latentEndEmbedding: j.lvr_latent_end_embedding ?? false, pauseTokens: j.lvr_pause_tokens ?? 0 },
      lora: j.lora
        ? { r: j.lora.r, alpha: j.lora.lora_alpha, targets: j.lora.target_modules.map((t) => t.replace(/_proj$/, '') as LoraConfig['targets'][number]) }
        : null,
    };
  });

/** config.json's name of each `ModelConfig` field, so that an invariant broken in config.json names its field. */
export const CONFIG_JSON_FIELDS: Readonly<Record<string, string>> = Object.freeze({
  hiddenSize: 'hidden_size',
  numLayers: 'num_hidden_layers',
  numHeads: 'num_attention_heads',
  intermediateSize: 'intermediate_size',
  vocabSize: 'vocab_size',
  rmsNormEps: 'rms_norm_eps',
  ropeTheta: 'rope_theta',
  mropeSection: 'rope_scaling.mrope_section',
  attentionBias: 'attention_bias',
  initializerRange: 'initializer_range',
  'vision.patchSize': 'vision_config.patch_size',
  'vision.temporalPatchSize': 'vision_config.temporal_patch_size',
  'vision.spatialMergeSize': 'vision_config.spatial_merge_size',
  'vision.inChannels': 'vision_config.in_chans',
  'vision.hiddenSize': 'vision_config.hidden_size',
  'vision.depth': 'vision_config.depth',
  'vision.numHeads': 'vision_config.num_heads',
  'vision.intermediateSize': 'vision_config.intermediate_size',
  'tokens.imagePadId': 'image_token_id',
  'tokens.visionStartId': 'vision_start_token_id',
  'tokens.visionEndId': 'vision_end_token_id',
  'tokens.eosId': 'eos_token_id',
  'tokens.padId': 'pad_token_id',
  'tokens.lvrStartId': 'lvr_start_id',
  'tokens.lvrId': 'lvr_id',
  'tokens.lvrLatentEndId': 'lvr_latent_end_id',
  'tokens.lvrEndId': 'lvr_end_id',
  'tokens.latentIds': 'latent_token_ids',
  'lvr.head': 'lvr_head',
  'lvr.latentEndEmbedding': 'lvr_latent_end_embedding',
  'lvr.pauseTokens': 'lvr_pause_tokens',
  'lora.r': 'lora.r',
  'lora.alpha': 'lora.lora_alpha',
  'lora.targets': 'lora.target_modules',
});

/** A `ModelConfig` field path (`tokens.latentIds[2]`) in config.json's names (`latent_token_ids[2]`). */
export function configJsonField(field: string): string {
  const m = /^([A-Za-z.]+)(.*)$/.exec(field);
  const name = m && CONFIG_JSON_FIELDS[m[1] as string];
  return name === undefined || m === null ? field : `${name}${m[2]}`;
}

const TOKEN_FIELDS = ['imagePadId', 'visionStartId', 'visionEndId', 'eosId', 'padId', 'lvrStartId', 'lvrId', 'lvrLatentEndId', 'lvrEndId'] as const;

/**
 * The invariants between fields of a complete config (its fields already in range): head sizes divide, the
 * M-RoPE split sums to half a head, token ids lie in the vocabulary, and the parameter count is at most
 * `maxParameters`. Returns every broken one; `name` words the fields (e.g. {@link configJsonField}).
 *
 * @example
 * modelConfigInvariants(cfg, DEFAULT_MAX_PARAMETERS); // [] for a valid config
 */
export function modelConfigInvariants(c: Readonly<ModelConfig>, maxParameters: number, name: (field: string) => string = (f) => f): FieldIssue[] {
  const out: FieldIssue[] = [];
  const add = (field: string, message: string): void => void out.push({ field: name(field), message });
  if (c.hiddenSize % c.numHeads !== 0) add('hiddenSize', `(${c.hiddenSize}) must be divisible by ${name('numHeads')} (${c.numHeads})`);
  else {
    const headDim = c.hiddenSize / c.numHeads;
    if (headDim % 2 !== 0) add('hiddenSize', `/ ${name('numHeads')} = head dim ${headDim} must be even for rotary embeddings`);
    const sec = c.mropeSection;
    if (sec[0] + sec[1] + sec[2] !== headDim / 2) add('mropeSection', `[${sec.join(', ')}] must sum to head dim / 2 = ${headDim / 2}`);
  }
  const v = c.vision;
  const vHeads = name('vision.numHeads');
  if (v.hiddenSize % v.numHeads !== 0) add('vision.hiddenSize', `(${v.hiddenSize}) must be divisible by ${vHeads} (${v.numHeads})`);
  else if ((v.hiddenSize / v.numHeads) % 4 !== 0) {
    add('vision.hiddenSize', `/ ${vHeads} = head dim ${v.hiddenSize / v.numHeads} must be a multiple of 4 (2-D rotary: half rows, half columns)`);
  }
  const vocab = `${name('vocabSize')} ${c.vocabSize}`;
  for (const k of TOKEN_FIELDS) {
    if (c.tokens[k] >= c.vocabSize) add(`tokens.${k}`, `= ${c.tokens[k]} is not a valid id for ${vocab}`);
  }
  c.tokens.latentIds.forEach((id, i) => {
    if (id >= c.vocabSize) add(`tokens.latentIds[${i}]`, `= ${id} is not a valid id for ${vocab}`);
  });
  if (out.length === 0) {
    const n = parameterCount(c);
    if (n > maxParameters) {
      add('', `the model would have ${n} parameters, more than the cap of ${maxParameters} (raise it with maxParameters or LVR_MAX_PARAMETERS)`);
    }
  }
  return out;
}

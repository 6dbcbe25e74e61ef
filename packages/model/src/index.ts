/**
 * @lvr/model — a trainable miniature Qwen2.5-VL in TensorFlow.js (wasm by default) with LVR and LIVR training,
 * a trainer with exact resume, HF-style checkpoints, and a KV-cache step model for `@lvr/decoding`.
 */
export { initBackend, currentBackend, BACKEND_PREFERENCES, type BackendName, type InitBackendOptions } from './backend.js';
export {
  resolveModelConfig, configToJson, configFromJson, headDim, patchRowWidth, DEFAULT_VISION,
  type ModelConfig, type ModelConfigInput, type ModelConfigOptions, type VisionConfig, type LvrModulesConfig, type TokenIdsConfig,
} from './config.js';
export { MODEL_CONFIG_LIMITS, modelConfigInputSchema, modelConfigJsonSchema, modelConfigInvariants, configJsonField } from './config-schema.js';
export { DEFAULT_MAX_PARAMETERS, MAX_PARAMETERS_ENV, parameterCount, resolveMaxParameters } from './config-size.js';
export { MiniQwenVL, type ForwardInput, type ForwardOutput, type EmbedOverride } from './models/vlm.js';
export { encodeImages, patchPositions, type ImageInput } from './models/vision.js';
export { buildAttentionMask, decoderForward, type DecoderInput, type DecoderOutput } from './models/decoder.js';
export { initParams, parameterSpecs, param, decays, type ModuleName } from './models/params.js';
export { applyLvrHead } from './models/lvr-head.js';
export type { KvPair } from './layers/attention.js';
export { linear, tiedHead } from './ops/linear.js';
export { attentionCore, attentionAutodiff, scaledDotAttention, setAttentionImpl, getAttentionImpl, planAttention, type AttentionImpl, type AttentionKernel, type AttentionPlan } from './ops/attention-core.js';
export { gatherRows, stopGradient } from './ops/gather-rows.js';
export { crossEntropy, lvrRegressionLoss, bceWithLogits, type LvrLossKind } from './ops/losses.js';
export { IGNORE_INDEX, type TrainBatch } from './training/batch.js';
export { collateTrainBatch, type TrainExample, type ExampleImage, type CollateTrainOptions } from './training/collate.js';
export {
  computeLoss, resolveObjective, hopWeight, ceTargets, modeSwitchTargets, DEFAULT_OBJECTIVE,
  type ObjectiveConfig, type LossOutput,
} from './training/objectives.js';
export {
  LOSS_TERMS, sumLossTerms, CE_TERM, LVR_TERM, POINTER_TERM, HOP_TERM, LATENT_END_TERM, MODE_SWITCH_TERM, latentSpans,
  type LossTerm, type LossInputs, type LossContext,
} from './training/loss-terms.js';
export { TfjsStepModel } from './inference/tfjs-step-model.js';
export { latentFeedbackFor, modelLatentFeedback } from './inference/latent-feedback-config.js';
export { planPrefill, type PrefillPlan } from './inference/prefill-plan.js';
export { mapToTargetSpace, imageMeans, infoNceLoss, pointerLoss, pointerLogits, pointerMix, hopLoss, singleImage, LVR_TARGET_SPACES, type LvrTargetSpace, type LatentImages } from './training/lvr-targets.js';
export { resolveSelfFeed, selfFeedProbability, chooseSelfFed, selfFedForward, DEFAULT_SELF_FEED, type SelfFeedConfig, type SelfFedOutput } from './training/self-feed.js';
export { LATENT_FEEDBACK_KINDS, LATENT_FEEDBACK_FIELD, parseLatentFeedback, isPointerFeedback, type LatentFeedbackKind } from './training/latent-feedback.js';
export { pauseForward, pointerMixForward, spanIndexOf, type FeedbackForwardOutput } from './training/latent-feedback-forward.js';
export { PAUSE_EMBEDDING_PARAM, pauseRowIndex, pauseRows, withPauseTokens } from './models/pause-embedding.js';
export { MODEL_SIZES, SHIPPED_BASE_CAPTION, type ModelSize } from './recipes/sizes.js';
export { modelConfigFor } from './recipes/model-config.js';
export { saveModel, loadModel, TRAINING_INFO_FILE, type LoadedModel, type TrainingInfo } from './recipes/model-io.js';
export { pretrainBase, type PretrainOptions, type RecipeResult } from './recipes/pretrain.js';
export { finetune, type FinetuneOptions } from './recipes/finetune.js';
export { buildFinetuneExamples, encodeImagesOnce, answerWithoutLvr, type FinetuneMode, type CachedImage, type FinetuneDataOptions } from './recipes/finetune-data.js';
export { captionBatch, preprocessFor } from './recipes/pretrain-data.js';
export { EpochSampler } from './recipes/sampler.js';
export { gridFinetune, type GridArm, type GridFinetuneOptions } from './recipes/grid-finetune.js';
export { initBase } from './recipes/init-base.js';
export {
  drawGridItem, gridBatch, gridCodebook, gridSequence, encodeScenes, visualTokenScale, centredTokenScale,
  type GridTaskSpec, type GridView, type GridSequence, type GridItem, type GridBatchOptions,
} from './recipes/grid-task-data.js';
export * from './rl/index.js';
export * from './io/index.js';
export * from './train/index.js';

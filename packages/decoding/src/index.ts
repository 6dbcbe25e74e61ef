/**
 * @lvr/decoding — the latent generation loop with swappable stop strategies, seeded samplers and per-row traces.
 * Backend-neutral: models plug in through the {@link StepModel} contract (`@lvr/model` implements it for tfjs).
 */
export type {
  StepModel, StepImage, PrefillRow, StepInput, StepOutput, CacheHandle, DecodingTokenIds,
} from './step-model.js';

// the loop
export { generate } from './loop/generate.js';
export { resolveGenerateOptions } from './loop/generate-options.js';
export type {
  GenerateOptions, GenerateRequest, ResolvedGenerateOptions, LatentTransform, LatentTransformContext,
} from './loop/generate-options.js';
export { buildReplayInputs } from './loop/trace.js';
export type { GenerateResult, LatentSpan, LatentStopReason, FinishReason, InputKind, TokenEvent } from './loop/trace.js';
export { traceSegments, type TraceSegment } from './loop/trace-segments.js';

// latent feedback (which vector a latent step feeds)
export type {
  LatentFeedback, LatentFeedbackKind, LatentFeedbackConfig, LatentFeedbackContext, LatentFeedbackChoice,
} from './feedback/latent-feedback.js';
export { LATENT_FEEDBACK_KINDS, isLatentFeedback } from './feedback/latent-feedback.js';
export { createLatentFeedback, type LatentFeedbackSpec } from './feedback/create-feedback.js';
export { hiddenFeedback } from './feedback/hidden.js';
export { pointerArgmaxFeedback } from './feedback/pointer-argmax.js';
export { pointerMixFeedback } from './feedback/pointer-mix.js';
export { pauseFeedback } from './feedback/pause.js';
export { pointerLogits, POINTER_TEMPERATURE } from './feedback/pointer-logits.js';
export { rowVisualTokens } from './feedback/visual-tokens.js';

// sampling
export { resolveSamplerConfig, parseSamplerSpec } from './sampling/sampler-config.js';
export type { SamplerConfig, ResolvedSampler } from './sampling/sampler-config.js';
export { sampleToken } from './sampling/sample-token.js';
export { vocabPaddingIds } from './sampling/padding-ids.js';
export type { SampledToken, SampleSite } from './sampling/sample-token.js';
export {
  applyRepetitionPenalty, suppressTokens, applyTemperature, applyTopK, applyTopP, softmax, logSoftmaxAt, argmax,
} from './sampling/logits-processors.js';

// stop strategies
export type { StopStrategy, StopDecision, StopStrategyNeeds, LatentDecisionContext } from './strategies/stop-strategy.js';
export {
  registerStopStrategy, unregisterStopStrategy, createStopStrategy, listStopStrategies, parseStrategySpec,
} from './strategies/registry.js';
export type {
  StopStrategyConfig, BuiltinStopStrategyConfig, CustomStopStrategyConfig, StopStrategyFactory,
  StopStrategyRegistrationOptions, StopStrategyInfo,
} from './strategies/registry.js';
export { readSpecArgs, parseSpecValue } from './strategies/spec-args.js';
export type { SpecLayout } from './strategies/spec-args.js';
export { fixedStepsStrategy, type FixedStepsConfig } from './strategies/fixed.js';
export { latentEndStrategy, type LatentEndConfig } from './strategies/latent-end.js';
export { modeSwitchStrategy, MODE_SWITCH_RULES, type ModeSwitchConfig, type ModeSwitchRule } from './strategies/mode-switch.js';
export { convergeStrategy, type ConvergeConfig } from './strategies/converge.js';
export { endProbStrategy, type EndProbConfig } from './strategies/end-prob.js';
export { exitProbStrategy, type ExitProbConfig } from './strategies/exit-prob.js';
export { tokenProbabilityStrategy, type TokenProbabilityConfig } from './strategies/token-probability.js';
export { DEFAULT_STOP_STRATEGY, DEFAULT_STOP_STRATEGY_SPEC } from './strategies/default.js';
export { latentDistance, cosineSimilarity, DISTANCE_CRITERIA, type DistanceCriterion } from './strategies/distance.js';

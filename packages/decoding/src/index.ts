export type {
  StepModel, StepImage, PrefillRow, StepInput, StepOutput, CacheHandle, DecodingTokenIds,
} from './step-model.js';

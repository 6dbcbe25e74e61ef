export { AdamW, adamwOptionsSchema, resolveAdamWOptions, type AdamWOptions, type AdamWParam } from './adamw.js';
export { globalNorm, clipByGlobalNorm, type ClipResult } from './clip.js';
export { resolveTrainerConfig, trainerConfigSchema, type TrainerConfig, type TrainerConfigInput, type StageConfig } from './config.js';
export { METRIC_NAMES, MetricsWriter, readMetrics } from './metrics.js';
export {
  addParam,
  freezeModules,
  unfreezeModules,
  trainableParams,
  paramCount,
  disposeParams,
  initNormal,
  type ParamEntry,
  type ParamStore,
  type AddParamOptions,
} from './param-store.js';
export { lossCurveSvg, writeLossCurvePng, type LossCurveOptions } from './plot.js';
export { lrAt, stageAt, type ScheduleKind, type ScheduleOptions, type StageSchedule, type StagedSchedule, type StagePosition } from './schedule.js';
export { type StepContext, type LossFn, type LossResult, type GradFn, type GradResult } from './step.js';
export { train, type TrainOptions, type TrainResult, type DataFn, type BatchInfo } from './trainer.js';
export { resolveResumeDir } from './checkpointing.js';

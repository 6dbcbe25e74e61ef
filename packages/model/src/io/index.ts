export {
  encodeSafetensors,
  decodeSafetensors,
  float32ToFloat16Bits,
  float16BitsToFloat32,
  MAX_SAFETENSORS_HEADER,
  type SafetensorsDType,
  type SafetensorsInput,
  type SafetensorsTensor,
  type DecodedSafetensors,
} from './safetensors.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  assignParams,
  listCheckpoints,
  pruneCheckpoints,
  CHECKPOINT_FILES,
  type ParamSource,
  type PlainTensor,
  type CheckpointContents,
  type LoadedCheckpoint,
  type AssignOptions,
} from './checkpoint.js';
export {
  parseTrainerStateJson,
  trainerStateToJson,
  type ArrayTensor,
  type OptimizerState,
  type MetricRecord,
  type TrainerState,
  type TrainerStateJson,
} from './trainer-state.js';

/**
 * Dataset readers and writers: the LVR stage-1 SFT JSON (and its meta file), the stage-2 GRPO JSON, and
 * Visual-CoT metadata JSONL converted to the SFT format. Every record is validated with errors naming file,
 * record and field; image paths are confined to the dataset's image folder.
 */
export { readGrpoDataset, writeGrpoDataset } from './grpo.js';
export { readLvrSftDataset, writeLvrSftDataset } from './lvr-sft.js';
export type { WriteLvrSftOptions } from './lvr-sft.js';
export { readLvrSftMeta } from './lvr-sft-meta.js';
export type { LvrSftMetaEntry, LvrSftMetaOptions } from './lvr-sft-meta.js';
export { readVisualCotJsonl } from './visual-cot.js';
export type { VisualCotReadOptions } from './visual-cot.js';
export { resolveDatasetReadOptions } from './options.js';
export type { DatasetReadOptions, ImageCheckMode, InvalidRecordPolicy, ResolvedDatasetReadOptions } from './options.js';
export { PathResolver, resolveInside } from './path-safety.js';
export type {
  Conversation,
  ConversationRole,
  DatasetReadResult,
  GrpoRecord,
  LvrSftRecord,
  SkippedRecord,
} from './types.js';

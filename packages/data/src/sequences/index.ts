/** Training sequences: Qwen chat format, LVR SFT and LIVR sequences, M-RoPE position ids, batching. */
export {
  normalizeConversation,
  systemChunk,
  promptChunk,
  responseChunk,
  countPlaceholders,
  expandImagePlaceholders,
  expandLvrPlaceholders,
} from './chat.js';
export type { ChatMessage, ConversationTurn, LvrExpansionOptions } from './chat.js';
export { DEFAULT_CHAT_TEMPLATE, applyChatTemplate, chatTemplateFromConfig, renderChatPrompt, userContent } from './chat-template.js';
export type { ChatContentPart, ChatPromptOptions, TemplateMessage } from './chat-template.js';
export { findTokenRuns, findTokenPositions } from './spans.js';
export type { TokenSpan, PositionRange } from './spans.js';
export { buildLvrSftSequence } from './lvr-sequence.js';
export { buildPromptIds } from './prompt.js';
export type { PromptIdsOptions } from './prompt.js';
export type { LvrSftSequenceOptions, LvrSequence } from './lvr-sequence.js';
export { buildLivrSequence } from './livr-sequence.js';
export type { LivrSequenceOptions, LivrSequence, LivrSpans } from './livr-sequence.js';
export { livrAttentionAllowed, livrBatchAttentionAllowed } from './livr-mask.js';
export type { LivrStage } from './livr-mask.js';
export { getRopeIndex, getRopeIndexBatch, decodePosition, decodePositions } from './rope-index.js';
export type { RopeIndex, RopeIndexOptions, RopeIndexBatchOptions } from './rope-index.js';
export { collateSequences } from './batch.js';
export type { CollatableSequence, CollateOptions, CollatedRow, CollatedBatch } from './batch.js';

import type { NormalizedBox } from '../roi/box.js';

/** Speaker of one LLaVA-style turn: `human` → user, `gpt` → assistant. */
export type ConversationRole = 'human' | 'gpt';

/** One LLaVA-style turn; `value` may contain the `<image>` and (gpt turns only) `<lvr>` placeholders. */
export interface Conversation {
  readonly from: ConversationRole;
  readonly value: string;
}

/**
 * One validated stage-1 SFT record (lvr-reference.md §2.1).
 * `bboxes[k]` belongs to the k-th `<lvr>` placeholder of the gpt turns and is normalised to the FIRST image.
 */
export interface LvrSftRecord {
  /** Position of the record in its source file (0-based; JSON array index or non-blank JSONL line ordinal). */
  readonly index: number;
  /** `id`, else `question_id`, else the index, as a string. */
  readonly id: string;
  /** Absolute image paths, resolved inside the dataset's image folder (in `<image>` order). */
  readonly images: readonly string[];
  /** Alternating human / gpt turns, starting with human, even length. */
  readonly conversations: readonly Conversation[];
  /**
   * One normalised `[x0, y0, x1, y1]` box per `<lvr>` placeholder, in order — or, with `lvrChain`, the ordered
   * boxes of the record's single `<lvr>` (one latent span over all of them, in box order).
   */
  readonly bboxes: readonly NormalizedBox[];
  /** `"lvr_chain": true` in the file: every box belongs to the single `<lvr>`, in order. Absent = false. */
  readonly lvrChain?: boolean | undefined;
  /** Every other field of the source record (dataset, split, question_id, task …), untouched. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** One validated stage-2 GRPO record (lvr-reference.md §2.2). */
export interface GrpoRecord {
  /** Position of the record in its source file (0-based). */
  readonly index: number;
  /** `id`, else `question_id`, else the index, as a string. */
  readonly id: string;
  /** Absolute image path, resolved inside the image folder. */
  readonly image: string;
  /** The human turn with every `\n?<image>\n?` removed (the prompt builder puts the image first). */
  readonly question: string;
  /** The gpt turn verbatim, e.g. `"<answer>4</answer>"` (the reward's solution string). */
  readonly answer: string;
  /** Every other field of the source record, untouched. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** A record that failed validation and was skipped (`onInvalid: 'skip'`); never dropped silently. */
export interface SkippedRecord {
  /** Position of the record in its source file (0-based). */
  readonly index: number;
  /** 1-based line number, for JSONL sources. */
  readonly line?: number | undefined;
  /** The record's id when it could be read. */
  readonly id?: string | undefined;
  /** The offending field path, e.g. `bboxes[0][2]`, when known. */
  readonly field?: string | undefined;
  /** The LvrError code (`DATASET_FORMAT`, `PATH_OUTSIDE_ROOT`, `IO_ERROR`, `IMAGE_INVALID`). */
  readonly code: string;
  /** The full error message (names file, record and field). */
  readonly reason: string;
}

/** What every reader returns: the valid records in file order plus the skipped ones. */
export interface DatasetReadResult<T> {
  readonly records: T[];
  readonly skipped: SkippedRecord[];
}

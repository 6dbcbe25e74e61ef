import { LvrError } from '@lvr/core';
import { IGNORE_INDEX } from '../tokenizer/special-tokens.js';
import type { LivrSpans } from './livr-sequence.js';
import { getRopeIndexBatch } from './rope-index.js';
import type { GridThw } from '../image/grid.js';
import type { PositionRange, TokenSpan } from './spans.js';

/** A sequence {@link collateSequences} accepts: an `LvrSequence`, a `LivrSequence`, or just ids (+ labels). */
export interface CollatableSequence {
  inputIds: Int32Array;
  /** Missing labels (e.g. inference prompts) collate to IGNORE. */
  labels?: Int32Array;
  lvrPositions?: readonly number[];
  lvrSpans?: readonly TokenSpan[];
  lvrGroups?: readonly (readonly number[])[];
  imageSpans?: readonly TokenSpan[];
  spans?: LivrSpans;
}

/** Options of {@link collateSequences}. */
export interface CollateOptions {
  /** Id written at padded positions (Qwen: `<|endoftext|>`). */
  padId: number;
  /** Pad on the right (training, default) or on the left (batched generation). */
  side?: 'right' | 'left';
  /** A row longer than this throws `LvrError('INVALID_ARGUMENT')`; nothing is ever truncated. */
  maxLength?: number;
  /** Also compute M-RoPE `positionIds [3, B, L]` and `ropeDeltas (B)` (per-row image grids). */
  rope?: { imageGridThw: readonly (readonly GridThw[])[]; imagePadId: number; visionStartId: number; mergeSize?: number };
}

/** Per-row metadata of a collated batch; every position is shifted by `offset` (the left padding). */
export interface CollatedRow {
  /** Index of the row's first real token (number of left-pad tokens; 0 for right padding). */
  offset: number;
  /** Number of real tokens. */
  length: number;
  lvrPositions?: number[];
  lvrSpans?: TokenSpan[];
  /** ROI index groups (image-local, not shifted). */
  lvrGroups?: number[][];
  imageSpans?: TokenSpan[];
  spans?: LivrSpans;
}

/** A padded batch; all `[B, L]` arrays are row-major. */
export interface CollatedBatch {
  /** `[B, L]` */
  inputIds: Int32Array;
  /** `[B, L]`, IGNORE at padding. */
  labels: Int32Array;
  /** `[B, L]` 1 = real token, 0 = padding. */
  attentionMask: Uint8Array;
  batchSize: number;
  /** L = the longest row. */
  length: number;
  rowLengths: number[];
  rows: CollatedRow[];
  /** `[3, B, L]` when `rope` was given. */
  positionIds?: Int32Array;
  /** `(B)` when `rope` was given. */
  ropeDeltas?: Int32Array;
}

/**
 * Pads sequences into a batch `[B, L]` (L = longest row) with `padId`, labels IGNORE and attention 0 at
 * padding, and carries each row's LVR / LIVR metadata with positions shifted for left padding.
 *
 * @example
 * const batch = collateSequences([seqA, seqB], { padId: tokenizer.special.pad, side: 'left' });
 * batch.rows[1].lvrPositions; // seqB.lvrPositions + batch.rows[1].offset
 */
export function collateSequences(seqs: readonly CollatableSequence[], options: CollateOptions): CollatedBatch {
  const side = options.side ?? 'right';
  if (seqs.length === 0) throw new LvrError('INVALID_ARGUMENT', 'collateSequences: no sequences');
  if (!Number.isInteger(options.padId) || options.padId < 0) {
    throw new LvrError('INVALID_ARGUMENT', `collateSequences: padId must be a non-negative integer, got ${String(options.padId)}`);
  }
  if (side !== 'right' && side !== 'left') {
    throw new LvrError('INVALID_ARGUMENT', `collateSequences: side must be 'right' or 'left', got ${String(side)}`);
  }
  seqs.forEach((s, b) => {
    const n = s.inputIds.length;
    if (n === 0) throw new LvrError('INVALID_ARGUMENT', `collateSequences: row ${b} is empty`, { details: { row: b } });
    if (s.labels !== undefined && s.labels.length !== n) {
      throw new LvrError('SHAPE_MISMATCH', `collateSequences: row ${b} has ${n} ids but ${s.labels.length} labels`, {
        details: { row: b },
      });
    }
    if (options.maxLength !== undefined && n > options.maxLength) {
      throw new LvrError('INVALID_ARGUMENT', `collateSequences: row ${b} has ${n} tokens, more than maxLength ` +
        `${options.maxLength} (sequences are never truncated)`, { details: { row: b, length: n, maxLength: options.maxLength } });
    }
  });

  const batchSize = seqs.length;
  const rowLengths = seqs.map((s) => s.inputIds.length);
  const length = Math.max(...rowLengths);
  const inputIds = new Int32Array(batchSize * length).fill(options.padId); // (B, L)
  const labels = new Int32Array(batchSize * length).fill(IGNORE_INDEX);
  const attentionMask = new Uint8Array(batchSize * length);
  const rows = seqs.map((s, b) => {
    const n = s.inputIds.length;
    const offset = side === 'left' ? length - n : 0;
    const at = b * length + offset;
    inputIds.set(s.inputIds, at);
    if (s.labels !== undefined) labels.set(s.labels, at);
    attentionMask.fill(1, at, at + n);
    return shiftRow(s, offset);
  });

  const batch: CollatedBatch = { inputIds, labels, attentionMask, batchSize, length, rowLengths, rows };
  if (options.rope !== undefined) {
    const { imageGridThw, ...rest } = options.rope;
    const rope = getRopeIndexBatch(inputIds, batchSize, imageGridThw, { ...rest, attentionMask });
    batch.positionIds = rope.positionIds;
    batch.ropeDeltas = rope.ropeDeltas;
  }
  return batch;
}

function shiftRow(s: CollatableSequence, offset: number): CollatedRow {
  const row: CollatedRow = { offset, length: s.inputIds.length };
  const span = (x: TokenSpan): TokenSpan => ({ start: x.start + offset, length: x.length });
  const range = (x: PositionRange): PositionRange => ({ start: x.start + offset, end: x.end + offset });
  if (s.lvrPositions) row.lvrPositions = s.lvrPositions.map((p) => p + offset);
  if (s.lvrSpans) row.lvrSpans = s.lvrSpans.map(span);
  if (s.lvrGroups) row.lvrGroups = s.lvrGroups.map((g) => [...g]);
  if (s.imageSpans) row.imageSpans = s.imageSpans.map(span);
  if (s.spans) {
    row.spans = {
      images: s.spans.images.map(span),
      prompt: range(s.spans.prompt),
      latents: range(s.spans.latents),
      answer: range(s.spans.answer),
      target: range(s.spans.target),
    };
  }
  return row;
}

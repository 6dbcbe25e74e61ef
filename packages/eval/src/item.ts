import { LvrError } from '@lvr/core';
import type { NormalizedBox } from '@lvr/data';

/** The benchmarks @lvr/eval loads and scores. */
export const BENCHMARKS = Object.freeze(['mmvp', 'vstar', 'blink', 'cvbench', 'synthetic'] as const);
/** One of {@link BENCHMARKS}. */
export type BenchmarkName = (typeof BENCHMARKS)[number];

/**
 * One image of an item: a file on disk, or encoded bytes held in memory (the `{bytes, path}` image structs
 * of Hugging Face parquet files). `name` is the struct's `path` (or a made-up label) for messages only.
 */
export type ImageRef =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array; readonly name: string };

/**
 * One multiple-choice question, whatever benchmark it came from. Every loader produces this type.
 *
 * @example
 * const item: McqItem = {
 *   id: 'mmvp-1', benchmark: 'mmvp', images: [{ kind: 'file', path: '/data/MMVP/MMVP Images/1.jpg' }],
 *   question: "Are the butterfly's wings closer to being open or closed?", options: ['Open', 'Closed'],
 *   answer: 'A', category: 'mmvp', pairId: '0',
 * };
 */
export interface McqItem {
  /** Unique within its benchmark (e.g. `"mmvp-17"`, `"vstar-42"`, `"val_Counting_1"`). */
  readonly id: string;
  readonly benchmark: BenchmarkName;
  /** In the order the model sees them (BLINK items have up to 4). */
  readonly images: readonly ImageRef[];
  /** The question alone, without the options or any answer instruction. */
  readonly question: string;
  /** Option texts; option `i` has the letter `optionLetter(i)`. */
  readonly options: readonly string[];
  /** The correct option letter, `"A"`, `"B"`, …. */
  readonly answer: string;
  /** The unit scores are broken down by: MMVP `"mmvp"`, V* category, BLINK subtask, CV-Bench task, synthetic task. */
  readonly category: string;
  /** Shared by the items of an MMVP-style pair (scored together by pair accuracy). */
  readonly pairId?: string | undefined;
  /** Region of interest, normalised `[x0, y0, x1, y1]` of the FIRST image (V*, synthetic). */
  readonly roi?: NormalizedBox | undefined;
  /**
   * Ordered regions of interest of the FIRST image, latent t's target = `rois[t]` (chase: the hop cells in hop
   * order, one visual token each). The `oracle` probe feeds them; per-hop decodability checks them.
   */
  readonly rois?: readonly NormalizedBox[] | undefined;
  /** Number of reasoning hops k (chase-k), for per-k breakdowns. */
  readonly hops?: number | undefined;
  /**
   * Another chain on the same image whose answer differs (chase: another start cell's k-chain): the
   * `counterfactual` probe feeds the tokens of `rois` and checks whether the answer becomes `answerWord`.
   */
  readonly counterfactual?: { readonly rois: readonly NormalizedBox[]; readonly answerWord: string } | undefined;
  /** The correct option's text, for models that answer with the word (the synthetic suite). */
  readonly answerWord?: string | undefined;
  /** Extra grouping keys copied into every result record (CV-Bench: `source` and `type`). */
  readonly groups?: Readonly<Record<string, string>> | undefined;
  /**
   * Benchmark fields kept for prompts and analysis but not mapped above (e.g. V* `text` and
   * `target_object`, BLINK `prompt`, MMVP `Options`). Named `meta` because CV-Bench has a column `source`.
   */
  readonly meta?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * The letter of option `index` (0 → `"A"`).
 *
 * @example
 * optionLetter(2); // 'C'
 */
export function optionLetter(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= 26) {
    throw new LvrError('INVALID_ARGUMENT', `option index must be an integer in 0..25, got ${index}`, { details: { index } });
  }
  return String.fromCharCode(65 + index);
}

/**
 * The option index of a letter (`"A"` → 0), or -1 when `letter` is not one uppercase letter among the first
 * `optionCount` letters.
 *
 * @example
 * letterIndex('B', 4); // 1
 * letterIndex('E', 4); // -1
 */
export function letterIndex(letter: string, optionCount: number): number {
  if (letter.length !== 1) return -1;
  const i = letter.charCodeAt(0) - 65;
  return i >= 0 && i < optionCount ? i : -1;
}

/**
 * What `loadImage` / `sharp` take for an image: the file path or the encoded bytes.
 *
 * @example
 * const img = await loadImage(imageSource(item.images[0]!));
 */
export function imageSource(ref: ImageRef): string | Uint8Array {
  return ref.kind === 'file' ? ref.path : ref.bytes;
}

import type { NormalizedBox } from '../roi/box.js';
import type { SyntheticExample } from './examples.js';

/** One LVR stage-1 SFT record (lvr-reference.md §2.1), as written to `train.json`. */
export interface LvrSftJsonRecord {
  id: string;
  /** Relative to the meta file's `image_folder` (the suite folder). */
  image: string;
  conversations: [{ from: 'human'; value: string }, { from: 'gpt'; value: string }];
  /**
   * One normalised `[x0, y0, x1, y1]` box per `<lvr>` placeholder (here exactly one); with `lvr_chain`, the
   * ordered boxes of the one `<lvr>` placeholder (chase: the hop cells in hop order).
   */
  bboxes: NormalizedBox[];
  /** All `bboxes` belong to the single `<lvr>` placeholder, in order (one latent per box's tokens). */
  lvr_chain?: true;
  task: string;
  category: string;
  pair_id?: string;
}

/** One benchmark-style test item, as written (one per line) to `test.jsonl`. */
export interface BenchmarkJsonRecord {
  id: string;
  image: string;
  question: string;
  options: string[];
  /** The correct option letter, `"A"`, `"B"`, …. */
  answer: string;
  answer_word: string;
  category: string;
  task: string;
  /** Shared by the two items of an image pair, `null` otherwise. */
  pair_id: string | null;
  roi: NormalizedBox;
  /** Chase: hops k. */
  hops?: number;
  /** Reasoning tasks: the ordered ROI boxes (chase: hop cells in hop order; majority: the majority objects). */
  rois?: NormalizedBox[];
  /** Chase: another start cell's chain (ordered boxes) and the shape it ends on. */
  counterfactual?: { rois: NormalizedBox[]; answer_word: string };
}

/** One entry of the LVR meta file (`meta.json`). */
export interface LvrMetaEntry {
  data_path: string;
  image_folder: string;
  ds_name: string;
}

/**
 * The LVR SFT record of an example: the human turn is `"<image>\n{question}"` (no options: the miniature
 * models answer with the word, see feasibility.md), the gpt turn `"<lvr>\n<answer> {word} </answer>"`,
 * and `bboxes` holds the ROI — or, for the reasoning tasks, the ordered `rois` of the one `<lvr>` with
 * `"lvr_chain": true` (the reader then maps all boxes to one latent span, in order).
 *
 * @example
 * toLvrSftRecord(ex).conversations[1].value; // "<lvr>\n<answer> red </answer>"
 */
export function toLvrSftRecord(ex: SyntheticExample): LvrSftJsonRecord {
  const rec: LvrSftJsonRecord = {
    id: ex.id,
    image: ex.image,
    conversations: [
      { from: 'human', value: `<image>\n${ex.question}` },
      { from: 'gpt', value: `<lvr>\n<answer> ${ex.answerWord} </answer>` },
    ],
    bboxes: ex.rois !== undefined ? ex.rois.map((b) => [...b] as NormalizedBox) : [[...ex.roi]],
    ...(ex.rois !== undefined ? { lvr_chain: true as const } : {}),
    task: ex.task,
    category: ex.category,
  };
  if (ex.pairId !== undefined) rec.pair_id = ex.pairId;
  return rec;
}

/**
 * The benchmark-style record of an example (V*-like fields plus MMVP's pair id).
 *
 * @example
 * toBenchmarkRecord(ex).answer; // "C"
 */
export function toBenchmarkRecord(ex: SyntheticExample): BenchmarkJsonRecord {
  return {
    id: ex.id,
    image: ex.image,
    question: ex.question,
    options: [...ex.options],
    answer: ex.answerLetter,
    answer_word: ex.answerWord,
    category: ex.category,
    task: ex.task,
    pair_id: ex.pairId ?? null,
    roi: [...ex.roi],
    ...(ex.hops !== undefined ? { hops: ex.hops } : {}),
    ...(ex.rois !== undefined ? { rois: ex.rois.map((b) => [...b] as NormalizedBox) } : {}),
    ...(ex.counterfactual !== undefined
      ? { counterfactual: { rois: ex.counterfactual.rois.map((b) => [...b] as NormalizedBox), answer_word: ex.counterfactual.answerWord } }
      : {}),
  };
}

/** `train.json` text: a JSON array with one record per line (compact and diff-friendly). */
export function formatJsonArray(records: readonly unknown[]): string {
  if (records.length === 0) return '[]\n';
  return `[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`;
}

/** `test.jsonl` text: one JSON object per line. */
export function formatJsonLines(records: readonly unknown[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

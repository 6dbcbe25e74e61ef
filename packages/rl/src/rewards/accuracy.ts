import type { RewardFn } from './types.js';

/** First `<answer>…</answer>` group, not DOTALL (the reference's regex; `[^\n]` = Python's `.`). */
const ANSWER_TAG_RE = /<answer>([^\n]*?)<\/answer>/;

/**
 * The text the reference's accuracy reward compares: the first `<answer>(.*?)</answer>` group stripped, or the
 * whole text stripped when there is no such group.
 *
 * @example
 * answerTagContent('<|lvr_start|>…<|lvr_end|>\n<answer> 4 </answer>'); // '4'
 * answerTagContent('four');                                           // 'four'
 */
export function answerTagContent(text: string): string {
  const m = ANSWER_TAG_RE.exec(text);
  return (m ? (m[1] as string) : text).trim();
}

/** A finite number written plainly (`4`, `-2.5`, `1e3`), else undefined. */
function plainNumber(s: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * 1 when the completion's answer equals the solution's, else 0 (lvr-reference.md §5.4): both sides through
 * {@link answerTagContent}, compared case-sensitively. Where the reference first asks `math_verify`, this
 * compares two plain numbers by value (`4` = `4.0`), the part of math_verify a short answer needs.
 *
 * @example
 * answerAccuracy('<|lvr_start|>…<|lvr_end|>\n<answer>4</answer>', '<answer>4</answer>'); // 1
 * answerAccuracy('<answer>4.0</answer>', '<answer>4</answer>');                          // 1
 * answerAccuracy('<answer> Red </answer>', '<answer> red </answer>');                    // 0
 */
export function answerAccuracy(completion: string, solution: string): number {
  const student = answerTagContent(completion);
  const truth = answerTagContent(solution);
  if (student === truth) return 1;
  const a = plainNumber(student);
  const b = plainNumber(truth);
  return a !== undefined && b !== undefined && a === b ? 1 : 0;
}

/**
 * Built-in reward `accuracy`: {@link answerAccuracy} of each completion against its sample's `solution`.
 *
 * @example
 * accuracyReward({ completions: ['<answer>4</answer>', '<answer>5</answer>'], samples: [s, s] }, ctx); // [1, 0]
 */
export const accuracyReward: RewardFn = (batch) => batch.completions.map((c, i) => answerAccuracy(c, batch.samples[i]?.solution ?? ''));

/**
 * Reads the chosen option letter from a completion; `null` when nothing can be read. `options` are the option
 * words in letter order.
 */
export type ChoiceExtractor = (completion: string, options: readonly string[]) => string | null;

/**
 * The default {@link ChoiceExtractor}: the reference evaluation's rule (lvr-reference.md §6) with one addition
 * for word answers. Take the text after the last `<answer>` up to the first `</answer` (or the whole text),
 * stripped; if it equals an option word (ignoring case) return that option's letter; otherwise keep the part
 * before the first space, then its first character (case kept, so `(B)` reads as `(`).
 *
 * @example
 * extractChoice('<answer> B </answer>', ['red', 'blue']);     // 'B'
 * extractChoice('<answer> blue </answer>', ['red', 'blue']);  // 'B'
 * extractChoice('The answer is B', ['red', 'blue']);          // 'T' (as the reference: wrong)
 */
export const extractChoice: ChoiceExtractor = (completion, options) => {
  const at = completion.lastIndexOf('<answer>');
  let content = at >= 0 ? completion.slice(at + '<answer>'.length) : completion;
  const end = content.indexOf('</answer');
  if (end >= 0) content = content.slice(0, end);
  content = content.trim();
  const word = content.toLowerCase();
  const k = options.findIndex((o) => o.trim().toLowerCase() === word);
  if (k >= 0) return String.fromCharCode(65 + k);
  if (content.length === 0) return null;
  const first = content.split(' ')[0] as string;
  return first.length > 1 ? (first[0] as string) : first;
};

/**
 * Builds the `choice` reward: 1 when the extracted letter equals the sample's `answerLetter`, 0 otherwise, and
 * `null` for samples that are not multiple choice (no `answerLetter`). Pass another extractor (for example
 * `@lvr/eval`'s) to score exactly like an evaluation does.
 *
 * @example
 * const choice = choiceReward();
 * choice({ completions: ['<answer> blue </answer>'], samples: [{ id: 'q', solution: '', options: ['red', 'blue'], answerLetter: 'B' }] }, ctx); // [1]
 */
export function choiceReward(extract: ChoiceExtractor = extractChoice): RewardFn {
  return (batch) => batch.completions.map((c, i) => {
    const s = batch.samples[i];
    if (s?.answerLetter === undefined) return null;
    return extract(c, s.options ?? []) === s.answerLetter ? 1 : 0;
  });
}

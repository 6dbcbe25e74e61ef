import { optionLetter } from '../item.js';
import { describe, rowError, type RawRow } from './location.js';
/**
 * Text forms of options and answers in the benchmark files: MMVP's inline `"(a) Open (b) Closed"`, V*'s
 * `"(A) x\n(B) y"` lines inside the question text, and answers written `"(a)"`, `"(C)"` or `"B"`.
 */

/**
 * The option index of an answer written `"(A)"`, `"A"`, `"(a)"` or `"a"` (surrounding spaces ignored), or
 * -1 when it is not one of the first `optionCount` letters.
 *
 * @example
 * parseAnswerLetter('(C)', 4); // 2
 * parseAnswerLetter('(e)', 2); // -1
 */
export function parseAnswerLetter(text: string, optionCount: number): number {
  const m = /^\s*\(?\s*([A-Za-z])\s*\)?\s*$/.exec(text);
  if (m === null) return -1;
  const i = m[1]!.toUpperCase().charCodeAt(0) - 65;
  return i < optionCount ? i : -1;
}

/** The result of {@link splitLetteredOptions}. */
export interface LetteredOptions {
  /** The text before the first marker, trimmed. */
  readonly question: string;
  readonly options: readonly string[];
  /** Whatever follows the last option's line (e.g. an answer instruction), trimmed. */
  readonly trailer: string;
}

/**
 * Splits text with lettered option markers `(A) … (B) …` (or lowercase `(a) … (b) …`) into the question,
 * the options and a trailer. Markers must run A, B, C, … in order and start at the beginning or after
 * whitespace. Options may sit on one line each (V*'s `text`) or inline (MMVP's `Options`); the last
 * option ends at the first newline after its marker. Returns `null` when there are fewer than two markers.
 *
 * @example
 * splitLetteredOptions('Colour?\n(A) red\n(B) blue\nAnswer with the letter.');
 * // { question: 'Colour?', options: ['red', 'blue'], trailer: 'Answer with the letter.' }
 * splitLetteredOptions('(a) Open (b) Closed')?.options; // ['Open', 'Closed']
 */
export function splitLetteredOptions(text: string): LetteredOptions | null {
  const lower = /(?:^|\s)\(a\)/.test(text) && !/(?:^|\s)\(A\)/.test(text);
  const starts: number[] = [];
  const ends: number[] = [];
  let from = 0;
  for (let k = 0; k < 26; k++) {
    const letter = String.fromCharCode((lower ? 97 : 65) + k);
    const re = new RegExp(`(?:^|(?<=\\s))\\(${letter}\\)`, 'g');
    re.lastIndex = from;
    const m = re.exec(text);
    if (m === null) break;
    starts.push(m.index);
    ends.push(m.index + m[0].length);
    from = m.index + m[0].length;
  }
  if (starts.length < 2) return null;
  const options: string[] = [];
  for (let k = 0; k < starts.length - 1; k++) options.push(text.slice(ends[k], starts[k + 1]).trim());
  const lastStart = ends[ends.length - 1]!;
  const nl = text.indexOf('\n', lastStart);
  options.push(text.slice(lastStart, nl < 0 ? text.length : nl).trim());
  return {
    question: text.slice(0, starts[0]).trim(),
    options,
    trailer: nl < 0 ? '' : text.slice(nl + 1).trim(),
  };
}

/**
 * The option index of a row's `answer` field such as `"(C)"`, or a `DATASET_FORMAT` error naming the file, row and
 * field (BLINK and CV-Bench rows share this format).
 */
export function answerIndexField(row: RawRow, answer: string, optionCount: number): number {
  const i = parseAnswerLetter(answer, optionCount);
  if (i < 0) throw rowError(row.loc, 'answer', `expected one of (A)..(${optionLetter(optionCount - 1)}), got ${describe(answer)}`);
  return i;
}

import { LvrError } from '@lvr/core';
import { optionLetter, type McqItem } from '../item.js';

/** The answer instruction of the LVR reference evaluation and lmms-eval (appended after a newline). */
export const REFERENCE_INSTRUCTION = "Answer with the option's letter from the given choices directly.";

/**
 * How to render a question:
 * - `'reference'` — `question + "\nOptions:\nA. x\nB. y" + "\n" + REFERENCE_INSTRUCTION`, the same for every
 *   benchmark;
 * - `'lvr-exact'` — byte-for-byte what the LVR reference evaluation sends, per benchmark (MMVP: the raw CSV
 *   `Options` with `(a)`→`A.` and `(b)`→`B.` replaced everywhere in the query; V*: the dataset's own `text`,
 *   which already ends with the instruction, plus the instruction again; BLINK: every option line ends with
 *   `\n`, so a blank line precedes the instruction); other benchmarks fall back to `'reference'`;
 * - `'word'` — for the miniature models that answer with the option WORD (the synthetic suite's tokenizer
 *   knows `options`, `:`, `,` and `and`): the question alone, or with `listOptions`
 *   `"… ? options : red , blue and green"`.
 */
export type PromptStyle = 'reference' | 'lvr-exact' | 'word';

/** Options of {@link buildMcqPrompt}. */
export interface McqPromptOptions {
  /** Default `'reference'`. */
  style?: PromptStyle;
  /** `'word'` style only: append `options : a , b and c` (default `false`, the suite's training format). */
  listOptions?: boolean;
}

/**
 * `"A. x\nB. y"`: one `LETTER. text` line per option, no trailing newline.
 *
 * @example
 * formatOptionLines(['Open', 'Closed']); // 'A. Open\nB. Closed'
 */
export function formatOptionLines(options: readonly string[]): string {
  return options.map((o, i) => `${optionLetter(i)}. ${o}`).join('\n');
}

/**
 * The option words as the synthetic tokenizer can read them: `"red , blue and green"` (`"left and right"`).
 *
 * @example
 * formatOptionWords(['red', 'blue', 'green']); // 'red , blue and green'
 */
export function formatOptionWords(options: readonly string[]): string {
  if (options.length === 1) return options[0]!;
  return `${options.slice(0, -1).join(' , ')} and ${options[options.length - 1]!}`;
}

function lvrExact(item: McqItem): string | undefined {
  const meta = item.meta ?? {};
  if (item.benchmark === 'mmvp' && typeof meta.options_raw === 'string') {
    const query = `${item.question}\nOptions:\n${meta.options_raw}`;
    return `${query.replaceAll('(a)', 'A.').replaceAll('(b)', 'B.')}\n${REFERENCE_INSTRUCTION}`;
  }
  if (item.benchmark === 'vstar' && typeof meta.text === 'string') return `${meta.text}\n${REFERENCE_INSTRUCTION}`;
  if (item.benchmark === 'blink') {
    const lines = item.options.map((o, i) => `${optionLetter(i)}. ${o}\n`).join('');
    return `${item.question}\nOptions:\n${lines}\n${REFERENCE_INSTRUCTION}`;
  }
  return undefined;
}

/**
 * The user text for one item (the images go before it in the chat message; see the runner).
 *
 * @example
 * buildMcqPrompt(item);
 * // "Are the butterfly's wings closer to being open or closed?\nOptions:\nA. Open\nB. Closed\nAnswer with the option's letter from the given choices directly."
 * buildMcqPrompt(synthItem, { style: 'word', listOptions: true });
 * // 'what colour is the small circle ? options : red , blue and green'
 */
export function buildMcqPrompt(item: McqItem, opts: McqPromptOptions = {}): string {
  const style = opts.style ?? 'reference';
  if (item.options.length < 2) {
    throw new LvrError('INVALID_ARGUMENT', `prompt: item ${item.id} has ${item.options.length} option(s); at least 2 are needed`, { details: { id: item.id } });
  }
  switch (style) {
    case 'word':
      return opts.listOptions === true ? `${item.question} options : ${formatOptionWords(item.options)}` : item.question;
    case 'lvr-exact': {
      const exact = lvrExact(item);
      if (exact !== undefined) return exact;
      break;
    }
    case 'reference':
      break;
    default:
      throw new LvrError('CONFIG_INVALID', `prompt: unknown style ${JSON.stringify(style)} (expected reference, lvr-exact or word)`, { details: { style } });
  }
  return `${item.question}\nOptions:\n${formatOptionLines(item.options)}\n${REFERENCE_INSTRUCTION}`;
}

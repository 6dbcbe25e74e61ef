import type { RewardFn } from './types.js';

/**
 * The reference's format check (lvr-reference.md §5.4), anchored at the start like Python's `re.match` and not
 * DOTALL: the completion starts with `<|lvr_start|>`, has no newline before `<|lvr_end|>`, only whitespace
 * between `<|lvr_end|>` and `<answer>`, no newline inside the answer, and ends with `</answer>` (one trailing
 * `\n` is tolerated, as Python's `$` does). `[^\n]` stands for Python's `.`, which (unlike JavaScript's) matches
 * `\r` and the Unicode line separators.
 */
export const STRICT_FORMAT_RE = /^<\|lvr_start\|>[^\n]*?<\|lvr_end\|>\s*<answer>[^\n]*?<\/answer>\n?$/;

const LVR_START = '<|lvr_start|>';
const LVR_END = '<|lvr_end|>';

/**
 * 1 when the completion matches {@link STRICT_FORMAT_RE} (the reference's `format_reward`), else 0.
 *
 * @example
 * strictFormat('<|lvr_start|><|lvr|><|lvr_end|>\n<answer>4</answer>'); // 1
 * strictFormat('I think <|lvr_start|><|lvr_end|>\n<answer>4</answer>'); // 0 (text before <|lvr_start|>)
 * strictFormat('<|lvr_start|>\n<|lvr_end|><answer>4</answer>');          // 0 (newline inside the span)
 */
export function strictFormat(completion: string): number {
  return STRICT_FORMAT_RE.test(completion) ? 1 : 0;
}

/**
 * 1 when the completion contains both `<|lvr_start|>` and `<|lvr_end|>` (the paper's description of the format
 * reward, looser than the reference code), else 0.
 *
 * @example
 * lenientFormat('the answer <|lvr_start|>…<|lvr_end|> is 4'); // 1
 * lenientFormat('<answer>4</answer>');                         // 0
 */
export function lenientFormat(completion: string): number {
  return completion.includes(LVR_START) && completion.includes(LVR_END) ? 1 : 0;
}

/**
 * Built-in reward `format`: {@link strictFormat} of every completion.
 *
 * @example
 * formatReward({ completions: ['<|lvr_start|><|lvr_end|><answer>4</answer>', '4'], samples }, ctx); // [1, 0]
 */
export const formatReward: RewardFn = (batch) => batch.completions.map(strictFormat);

/**
 * Built-in reward `format-lenient`: {@link lenientFormat} of every completion.
 *
 * @example
 * lenientFormatReward({ completions: ['x <|lvr_start|> y <|lvr_end|>', 'x'], samples }, ctx); // [1, 0]
 */
export const lenientFormatReward: RewardFn = (batch) => batch.completions.map(lenientFormat);

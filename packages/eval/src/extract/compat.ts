/**
 * Compat extractors that reproduce other harnesses' answer parsing exactly, quirks included, for parity with
 * published numbers (ecosystem.md §1.6, lvr-reference.md §6). Rule names are prefixed with the mode.
 */
import type { ExtractedAnswer } from './default-rules.js';

/**
 * The LVR reference `accuracy_reward`: the text after the last `<answer>` (the whole reply when there is
 * none), cut at the first `</answer`, trimmed; the part before the first space; its first character.
 * Case-sensitive and unaware of options, so `"The answer is B"` → `"T"` and `"(B)"` → `"("` (both wrong).
 *
 * @example
 * lvrReference('<|lvr_start|>…<|lvr_end|>\n<answer> B </answer><|im_end|>'); // { letter: 'B', rule: 'lvr-reference:first-char' }
 * lvrReference('B.<|im_end|>').letter;    // 'B'
 * lvrReference('The answer is B').letter; // 'T'
 */
export function lvrReference(text: string): ExtractedAnswer {
  let s = text.split('<answer>').at(-1)!;
  s = s.split('</answer')[0]!.trim();
  if (s.includes(' ')) s = s.split(' ')[0]!;
  const first = [...s][0];
  return first === undefined ? { letter: null, rule: 'unparsed' } : { letter: first, rule: 'lvr-reference:first-char' };
}

const MMVP_PATTERNS: readonly [string, RegExp][] = [
  ['bare', /^\s*\(?([AB])\)?\.?\s*$/i],
  ['leading', /^\s*\(?([AB])\)?[.\s]/i],
  ['answer-is', /answer\s+is\s+\(?([AB])\)?/i],
  ['option', /option\s+\(?([AB])\)?/i],
  ['standalone', /\(?([AB])\)?(?:\s|$)/i],
];

/**
 * lmms-eval's MMVP parser: on the trimmed reply, five case-insensitive searches in order (bare letter,
 * leading letter, "answer is X", "option X", any A/B followed by a space or the end), then the first
 * character if it is A/B. Because of the case-insensitive last pattern, the article "a" counts:
 * `"It is a butterfly"` → `A`.
 *
 * @example
 * lmmsMmvp('It is a butterfly'); // { letter: 'A', rule: 'lmms-mmvp:standalone' }
 */
export function lmmsMmvp(text: string): ExtractedAnswer {
  const t = text.trim();
  for (const [name, re] of MMVP_PATTERNS) {
    const m = re.exec(t);
    if (m !== null) return { letter: m[1]!.toUpperCase(), rule: `lmms-mmvp:${name}` };
  }
  const c = t.charAt(0).toUpperCase();
  return c === 'A' || c === 'B' ? { letter: c, rule: 'lmms-mmvp:first-char' } : { letter: null, rule: 'unparsed' };
}

const VSTAR_PATTERNS: readonly [string, RegExp][] = [
  ['leading', /^([A-D])\s*[.)\]]*/i],
  ['answer-is', /(?:THE\s+)?(?:ANSWER|CHOICE|OPTION)(?:\s+IS)?[\s:]+([A-D])/i],
  ['paren', /\(([A-D])\)/i],
  ['letter-punct', /([A-D])\s*(?:\.|\)|\])/i],
  ['standalone', /(?:^|\s)([A-D])(?:\s|$)/i],
];

/**
 * lmms-eval's V* parser: the trimmed reply is uppercased, then five searches (leading letter — so any reply
 * starting with B or D, like "Blue" or "Dog", is read as that letter —, "answer/choice/option (is) X",
 * `(X)`, `X.` / `X)` / `X]`, a standalone letter), then "exactly one A–D character anywhere", then the
 * first character.
 *
 * @example
 * lmmsVstar('Blue'); // { letter: 'B', rule: 'lmms-vstar:leading' }
 */
export function lmmsVstar(text: string): ExtractedAnswer {
  const t = text.trim().toUpperCase();
  for (const [name, re] of VSTAR_PATTERNS) {
    const m = re.exec(t);
    if (m !== null) return { letter: m[1]!.toUpperCase(), rule: `lmms-vstar:${name}` };
  }
  const letters = t.match(/[A-D]/g) ?? [];
  if (letters.length === 1) return { letter: letters[0]!, rule: 'lmms-vstar:single-letter' };
  const c = t.charAt(0);
  return c !== '' && 'ABCD'.includes(c) ? { letter: c, rule: 'lmms-vstar:first-char' } : { letter: null, rule: 'unparsed' };
}

/**
 * lmms-eval's BLINK (and CV-Bench) parser: `[\(\s]*([A-Z])` matched at the start of the trimmed reply,
 * case-insensitive — the first letter of the reply, so `"The answer is B"` → `T`.
 *
 * @example
 * lmmsBlink('(D) 1'); // { letter: 'D', rule: 'lmms-blink:first-letter' }
 */
export function lmmsBlink(text: string): ExtractedAnswer {
  const m = /^[(\s]*([A-Z])/i.exec(text.trim());
  return m === null ? { letter: null, rule: 'unparsed' } : { letter: m[1]!.toUpperCase(), rule: 'lmms-blink:first-letter' };
}

/**
 * BLINK's official `analyze_answer` without its GPT-3.5 fallback: the raw reply equal to `A`..`E` or
 * `(A)`..`(E)`; else the whitespace tokens that are exactly `(A)`…`(X)` (X = last option), in the whole
 * reply and in its last paragraph (after the last blank line) — one in the last paragraph wins, else one in
 * the whole reply. Where the official script would ask GPT-3.5 (no such token, or several in both), the
 * result is `{ letter: null, rule: 'blink-official:needs-judge' }` (scored wrong, like its `(Z) Failed`).
 *
 * @example
 * blinkOfficial('I pick (C) because…', 4); // { letter: 'C', rule: 'blink-official:token' }
 * blinkOfficial('(B).', 4);                 // { letter: null, rule: 'blink-official:needs-judge' }
 */
export function blinkOfficial(text: string, optionCount: number): ExtractedAnswer {
  if (/^[A-E]$/.test(text)) return { letter: text, rule: 'blink-official:exact' };
  if (/^\([A-E]\)$/.test(text)) return { letter: text[1]!, rule: 'blink-official:exact' };
  const choices = new Set(['(A)', '(B)', '(C)', '(D)', '(E)'].slice(0, optionCount));
  const tokens = (s: string): Set<string> => new Set(s.split(/\s+/).filter((t) => choices.has(t)));
  const all = tokens(text);
  const last = tokens(text.split('\n\n').at(-1)!);
  if ((all.size !== 1 && last.size !== 1) || all.size < 1) return { letter: null, rule: 'blink-official:needs-judge' };
  const pick = last.size === 1 ? [...last][0]! : [...all][0]!;
  return { letter: pick[1]!, rule: 'blink-official:token' };
}

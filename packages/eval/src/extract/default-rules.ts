import { letterIndex } from '../item.js';
import { answerTagContent, stripSpecialTokens } from './clean.js';

/** What an extractor returns: the letter it read (or `null`) and the name of the rule that decided. */
export interface ExtractedAnswer {
  /**
   * The option letter read from the reply, `null` when unparsed. Compat modes may return a character that
   * is not an option letter (the LVR reference reads "The answer is B" as `"T"`); it then scores wrong.
   */
  readonly letter: string | null;
  /** The rule that fired (`'bare-letter'`, `'lmms-mmvp:standalone'`, …) or `'unparsed'`. */
  readonly rule: string;
}

/** The default rules, in the order they are tried. */
export const DEFAULT_RULES = Object.freeze(['answer-tag', 'bare-letter', 'answer-is', 'standalone-letter', 'option-text', 'unparsed'] as const);
/** One of {@link DEFAULT_RULES}. */
export type DefaultRule = (typeof DEFAULT_RULES)[number];

const ci = (word: string): string => [...word].map((c) => `[${c.toLowerCase()}${c.toUpperCase()}]`).join('');
// "answer is B", "answer: (B)", "correct option is **C**", "Option B", "choice B" — the letter must be uppercase,
// so "the answer is a butterfly" is not read as A.
const ANSWER_IS = new RegExp(
  `(?<![A-Za-z])(?:${ci('answer')}|${ci('option')}|${ci('choice')})(?:\\s+${ci('is')})?\\s*[:=]?\\s*(?:${ci('option')}\\s+)?[(\\[]?\\**([A-Z])\\**[)\\]]?(?![A-Za-z0-9])`,
  'g',
);
const BARE_LETTER = /^[(\[]?\s*([A-Za-z])\s*[)\]]?\s*[.:)]?$/;
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function inRange(letter: string, options: readonly string[]): string | null {
  const up = letter.toUpperCase();
  return letterIndex(up, options.length) >= 0 ? up : null;
}

/** `B`, `B.`, `(B)`, `B)`, `[B]`, `**B**`, or a lone lowercase letter: the whole reply is the letter. */
export function bareLetter(text: string, options: readonly string[]): string | null {
  const m = BARE_LETTER.exec(text.replace(/\*/g, '').trim());
  return m === null ? null : inRange(m[1]!, options);
}

/** The LAST "answer is X" / "answer: X" / "option X" phrase whose letter is an option letter. */
export function answerIs(text: string, options: readonly string[]): string | null {
  let found: string | null = null;
  for (const m of text.matchAll(ANSWER_IS)) found = inRange(m[1]!, options) ?? found;
  return found;
}

/** Exactly one distinct option letter appears as a standalone uppercase token (punctuation split off). */
export function standaloneLetter(text: string, options: readonly string[]): string | null {
  const letters = new Set(
    text
      .replace(/[.,;:!?()[\]{}*#"'`]/g, ' ')
      .split(/\s+/)
      .filter((t) => t.length === 1 && letterIndex(t, options.length) >= 0),
  );
  return letters.size === 1 ? [...letters][0]! : null;
}

/**
 * Exactly one option's text appears in the reply (case-insensitive, not inside a longer word). An option whose
 * text only matched inside another matched option's text ("red" in "dark red") does not count.
 */
export function optionText(text: string, options: readonly string[]): string | null {
  const lower = text.toLowerCase();
  const hits = options
    .map((o, i) => ({ i, o: o.trim().toLowerCase() }))
    .filter(({ o }) => o.length > 0 && new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(o)}(?![\\p{L}\\p{N}])`, 'u').test(lower));
  const kept = hits.filter((h) => !hits.some((g) => g !== h && g.o.length > h.o.length && g.o.includes(h.o)));
  return kept.length === 1 ? String.fromCharCode(65 + kept[0]!.i) : null;
}

const BODY_RULES: readonly [DefaultRule, (t: string, o: readonly string[]) => string | null][] = [
  ['bare-letter', bareLetter],
  ['answer-is', answerIs],
  ['standalone-letter', standaloneLetter],
  ['option-text', optionText],
];

/**
 * The default extractor: special tokens and latent spans are removed, then the rules of
 * {@link DEFAULT_RULES} are tried in order. `answer-tag` applies the other rules to the content of the last
 * `<answer>` tag; if that decides nothing, the rules run on the whole reply.
 *
 * @example
 * extractDefault('<|lvr_start|>…<|lvr_end|>\n<answer> B </answer><|im_end|>', ['cat', 'dog']); // { letter: 'B', rule: 'answer-tag' }
 * extractDefault('The answer is (B).', ['cat', 'dog']); // { letter: 'B', rule: 'answer-is' }
 * extractDefault('It is a dog', ['cat', 'dog']);        // { letter: 'B', rule: 'option-text' }
 */
export function extractDefault(text: string, options: readonly string[]): ExtractedAnswer {
  const clean = stripSpecialTokens(text);
  const tag = answerTagContent(clean);
  if (tag !== undefined && tag.length > 0) {
    for (const [, rule] of BODY_RULES) {
      const letter = rule(tag, options);
      if (letter !== null) return { letter, rule: 'answer-tag' };
    }
  }
  const body = clean.replace(/<\/?answer>/g, ' ').trim();
  for (const [name, rule] of BODY_RULES) {
    const letter = rule(body, options);
    if (letter !== null) return { letter, rule: name };
  }
  return { letter: null, rule: 'unparsed' };
}

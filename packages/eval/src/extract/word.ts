import { LvrError } from '@lvr/core';
import { optionLetter } from '../item.js';
import { answerTagContent, stripSpecialTokens } from './clean.js';
import type { ExtractedAnswer } from './default-rules.js';

const normalise = (s: string): string => s.trim().toLowerCase().replace(/^[\s"'`*([]+|[\s"'`*.,;:!?)\]]+$/g, '');

/**
 * Scores a reply by option WORD (the synthetic suite's miniature models answer `<answer> red </answer>`, not
 * a letter): the content of the last `<answer>` tag (rule `answer-word`), else the first word of the reply
 * (rule `first-word`), compared case-insensitively with each option text — the whole candidate first, then
 * its first word. Special tokens and latent spans are removed first. No match → `unparsed`.
 *
 * @example
 * matchOptionWord('<|lvr_start|>…<|lvr_end|>\n<answer> blue </answer>', ['red', 'blue']); // { letter: 'B', rule: 'answer-word' }
 * matchOptionWord('red .', ['red', 'blue']);                                            // { letter: 'A', rule: 'first-word' }
 */
export function matchOptionWord(text: string, options: readonly string[]): ExtractedAnswer {
  const clean = stripSpecialTokens(text);
  const tag = answerTagContent(clean);
  const rule = tag === undefined ? 'first-word' : 'answer-word';
  const body = tag ?? clean.trim();
  const words = body.split(/\s+/).filter((w) => w.length > 0);
  const wanted = options.map(normalise);
  for (const candidate of tag === undefined ? [words[0] ?? ''] : [body, words[0] ?? '']) {
    const c = normalise(candidate);
    const i = c.length === 0 ? -1 : wanted.indexOf(c);
    if (i >= 0) return { letter: optionLetter(i), rule };
  }
  return { letter: null, rule: 'unparsed' };
}

/**
 * The option with the highest score (log-likelihood of the option given the prompt; V*'s official scorer
 * picks the lowest loss, i.e. the same option). Ties go to the first. Scores must be finite numbers, one per
 * option (`NUMERIC` / `INVALID_ARGUMENT` otherwise).
 *
 * @example
 * pickByLikelihood([-3.2, -0.4, -5.1]); // { letter: 'B', rule: 'likelihood' }
 */
export function pickByLikelihood(scores: readonly number[], optionCount = scores.length): ExtractedAnswer {
  if (scores.length !== optionCount || scores.length === 0) {
    throw new LvrError('INVALID_ARGUMENT', `likelihood: expected one score per option (${optionCount}), got ${scores.length}`, {
      details: { scores: scores.length, options: optionCount },
    });
  }
  let best = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (typeof s !== 'number' || !Number.isFinite(s)) {
      throw new LvrError('NUMERIC', `likelihood: score ${i} is ${String(s)}, not a finite number`, { details: { index: i } });
    }
    if (s > scores[best]!) best = i;
  }
  return { letter: optionLetter(best), rule: 'likelihood' };
}

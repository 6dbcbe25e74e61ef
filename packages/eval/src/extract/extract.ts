import { LvrError } from '@lvr/core';
import { blinkOfficial, lmmsBlink, lmmsMmvp, lmmsVstar, lvrReference } from './compat.js';
import { extractDefault, type ExtractedAnswer } from './default-rules.js';
import { matchOptionWord } from './word.js';

/** Extraction modes: our default rules, word matching, and the compat modes of other harnesses. */
export const EXTRACTION_MODES = Object.freeze(['default', 'word', 'lvr-reference', 'lmms-mmvp', 'lmms-vstar', 'lmms-blink', 'blink-official'] as const);
/** One of {@link EXTRACTION_MODES}. */
export type ExtractionMode = (typeof EXTRACTION_MODES)[number];

/** Options of {@link extractAnswer}. */
export interface ExtractOptions {
  /**
   * `'default'` (ordered named rules, see `DEFAULT_RULES`), `'word'` (option words, for the synthetic
   * suite), or a compat mode: `'lvr-reference'` (first character), `'lmms-mmvp'`, `'lmms-vstar'`,
   * `'lmms-blink'` (also lmms-eval's CV-Bench parser), `'blink-official'` (without the GPT fallback).
   */
  mode?: ExtractionMode;
}

/**
 * Reads the chosen option letter from a model's reply and says which rule decided.
 *
 * @example
 * extractAnswer('The answer is B', ['Open', 'Closed']);                            // { letter: 'B', rule: 'answer-is' }
 * extractAnswer('The answer is B', ['Open', 'Closed'], { mode: 'lvr-reference' }); // { letter: 'T', rule: 'lvr-reference:first-char' }
 * extractAnswer('It is a butterfly', ['Open', 'Closed'], { mode: 'lmms-mmvp' });   // { letter: 'A', rule: 'lmms-mmvp:standalone' }
 */
export function extractAnswer(text: string, options: readonly string[], opts: ExtractOptions = {}): ExtractedAnswer {
  const mode = opts.mode ?? 'default';
  switch (mode) {
    case 'default':
      return extractDefault(text, options);
    case 'word':
      return matchOptionWord(text, options);
    case 'lvr-reference':
      return lvrReference(text);
    case 'lmms-mmvp':
      return lmmsMmvp(text);
    case 'lmms-vstar':
      return lmmsVstar(text);
    case 'lmms-blink':
      return lmmsBlink(text);
    case 'blink-official':
      return blinkOfficial(text, options.length);
    default:
      throw new LvrError('CONFIG_INVALID', `extract: unknown mode ${JSON.stringify(mode)} (expected ${EXTRACTION_MODES.join(', ')})`, {
        details: { mode },
      });
  }
}

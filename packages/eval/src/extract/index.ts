/** Answer extraction: ordered named rules, option-word matching, likelihood picks and harness compat modes. */
export { extractAnswer, EXTRACTION_MODES } from './extract.js';
export type { ExtractionMode, ExtractOptions } from './extract.js';
export { extractDefault, DEFAULT_RULES, bareLetter, answerIs, standaloneLetter, optionText } from './default-rules.js';
export type { ExtractedAnswer, DefaultRule } from './default-rules.js';
export { lvrReference, lmmsMmvp, lmmsVstar, lmmsBlink, blinkOfficial } from './compat.js';
export { matchOptionWord, pickByLikelihood } from './word.js';
export { stripSpecialTokens, answerTagContent } from './clean.js';

/** Prompts for multiple-choice items: the reference suffix, the exact LVR evaluation strings, word answers. */
export { buildMcqPrompt, formatOptionLines, formatOptionWords, REFERENCE_INSTRUCTION } from './prompt.js';
export type { McqPromptOptions, PromptStyle } from './prompt.js';

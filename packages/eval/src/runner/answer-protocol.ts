import { LvrError } from '@lvr/core';

/** How a model is asked to answer (what its fine-tuning format looks like). */
export type EvalMethod = 'base' | 'sft' | 'lvr' | 'livr';

/** Token ids of the answer format (`<answer> word </answer>` in the synthetic suite). */
export interface AnswerFormatIds {
  answerOpen: number;
  answerClose: number;
  /** `\n` between `<|lvr_end|>` and `<answer>` in the reference's LVR data (undefined if absent). */
  newline?: number | undefined;
  lvrStart: number;
  lvrLatentEnd: number;
  lvrEnd: number;
}

/**
 * The constrained answer protocol used for the miniature models (tiny models cannot learn lettered multiple
 * choice — feasibility study — so they answer with the option WORD and the option words are scored):
 * the generation follows the model's training format, with only the format tokens forced —
 *
 * - SFT / LIVR / base: `<answer>` first;
 * - LVR: `<|lvr_start|>` first, then the latent span as the stop strategy decides, then (if the model has not
 *   produced them itself) `<|lvr_latent_end|>`/`<|lvr_end|>`, `\n`, `<answer>`;
 * - then exactly one token among the option words (greedy = the option with the highest logit).
 *
 * Returns the allowed ids for the next sample, or `undefined` (free) — plug it into `generate({ allowedTokens })`.
 * Answering stops at `</answer>` (add it to `eosIds`).
 *
 * @example
 * const allowed = answerConstraint('lvr', ids, optionIds);
 * generate(model, reqs, { allowedTokens: (row, out) => allowed(out) });
 */
export function answerConstraint(method: EvalMethod, ids: AnswerFormatIds, optionIds: readonly number[]): (out: readonly number[]) => readonly number[] | undefined {
  if (optionIds.length === 0) throw new LvrError('INVALID_ARGUMENT', 'answerConstraint: no option ids');
  return (out) => {
    const last = out.length > 0 ? out[out.length - 1] : undefined;
    if (out.includes(ids.answerOpen)) return last === ids.answerOpen ? optionIds : [ids.answerClose];
    if (method !== 'lvr') return [ids.answerOpen];
    if (out.length === 0) return [ids.lvrStart];
    if (!out.includes(ids.lvrEnd)) return last === ids.lvrLatentEnd ? [ids.lvrEnd] : [ids.lvrLatentEnd, ids.lvrEnd];
    if (last === ids.lvrEnd && ids.newline !== undefined) return [ids.newline];
    return [ids.answerOpen];
  };
}

/** The option chosen by a constrained generation: the token right after `<answer>`, as an option index (or −1). */
export function chosenOption(outputIds: readonly number[], answerOpen: number, optionIds: readonly number[]): number {
  const at = outputIds.indexOf(answerOpen);
  if (at < 0 || at + 1 >= outputIds.length) return -1;
  return optionIds.indexOf(outputIds[at + 1] as number);
}

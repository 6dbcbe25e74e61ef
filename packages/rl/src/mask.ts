import { LvrError } from '@lvr/core';
import type { GenerateResult } from '@lvr/decoding';

/**
 * Which completion tokens carry policy gradient (and KL):
 * - `reference` (default, lvr-reference.md §5.3 item 5): scanning the completion, a flag turns on at a fed
 *   `<|lvr_start|>` and off at the next fed `<|lvr_end|>`; tokens where the flag is on are excluded — the
 *   `<|lvr_start|>` itself, the placeholders sampled at latent positions, anything (e.g. `<|lvr_latent_end|>`)
 *   before the closing `<|lvr_end|>`. `<|lvr_end|>` and the text after it up to and including the first EOS
 *   carry gradient, as does text before `<|lvr_start|>`. A span never closed by `<|lvr_end|>` excludes the rest.
 * - `reference+start`: as `reference`, and the `<|lvr_start|>` that opens a span also carries gradient, so the
 *   decision to enter latent mode is reinforced (the reference never reinforces it).
 * - `text`: every position fed as a token up to the first EOS (only latent placeholders are excluded).
 *
 * Under every rule: latent placeholders (`inputs[j] === 'latent'`) and forced tokens (a forced `<|lvr_end|>`,
 * which the policy did not choose) carry no gradient.
 */
export type MaskRule = 'reference' | 'reference+start' | 'text';

/** The mask rules, for validation and help texts. */
export const MASK_RULES: readonly MaskRule[] = Object.freeze(['reference', 'reference+start', 'text']);

/** Token ids {@link completionMask} reads. */
export interface MaskTokenIds {
  readonly lvrStartId: number;
  readonly lvrEndId: number;
  /** Ids that finish a row (default the generation's EOS ids; the trace ends at the first one anyway). */
  readonly eosIds: readonly number[];
}

/**
 * The gradient mask of one completion: `mask[j] = 1` when `outputIds[j]` carries gradient under `rule`
 * (one entry per generated position, latent ones included).
 *
 * @example
 * // outputIds: <|lvr_start|> x x <|lvr_latent_end|> <|lvr_end|> \n <answer> 4 </answer> EOS, spans: 2 latents at 1..2
 * completionMask(trace, 'reference', ids);       // [0, 0, 0, 0, 1, 1, 1, 1, 1, 1]
 * completionMask(trace, 'reference+start', ids); // [1, 0, 0, 0, 1, 1, 1, 1, 1, 1]
 * completionMask(trace, 'text', ids);            // [1, 0, 0, 1, 1, 1, 1, 1, 1, 1]
 */
export function completionMask(trace: GenerateResult, rule: MaskRule, ids: MaskTokenIds): Uint8Array {
  if (rule !== 'reference' && rule !== 'reference+start' && rule !== 'text') {
    throw new LvrError('INVALID_ARGUMENT', `completionMask: rule must be one of ${MASK_RULES.join(', ')}, got ${String(rule)}`);
  }
  const n = trace.outputIds.length;
  if (trace.inputs.length !== n) {
    throw new LvrError('SHAPE_MISMATCH', `completionMask: row ${trace.row} has ${n} output ids but ${trace.inputs.length} input kinds`);
  }
  const forced = new Set<number>();
  for (const s of trace.latentSpans) if (s.forcedEnd) forced.add(s.start + s.steps);
  const eos = new Set(ids.eosIds);
  const mask = new Uint8Array(n);
  // A span that opens at index 0 was opened by a prompt that ends with <|lvr_start|>: the flag starts on.
  let inSpan = trace.latentSpans.some((s) => s.start === 0);
  for (let j = 0; j < n; j++) {
    if (trace.inputs[j] === 'latent') continue; // a placeholder: its embedding was never fed
    const tok = trace.outputIds[j] as number;
    let carries: boolean;
    if (rule === 'text') {
      carries = true;
    } else if (!inSpan && tok === ids.lvrStartId) {
      inSpan = true;
      carries = rule === 'reference+start';
    } else if (inSpan && tok === ids.lvrEndId) {
      inSpan = false;
      carries = true;
    } else {
      carries = !inSpan;
    }
    if (carries && !forced.has(j)) mask[j] = 1;
    if (eos.has(tok)) break;
  }
  return mask;
}

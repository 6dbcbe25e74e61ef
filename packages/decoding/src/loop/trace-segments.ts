import type { GenerateResult } from './trace.js';

/** A run of a trace's generated positions: tokens that were fed (or the last, unfed one), or one latent span's steps. */
export type TraceSegment =
  | { readonly kind: 'tokens'; readonly ids: readonly number[] }
  | { readonly kind: 'latent'; readonly steps: number };

/**
 * Splits a trace's output into what a reader should see: runs of tokens, and in place of each run of latent
 * positions its number of steps. The ids at latent positions are the sampler's placeholders — their embeddings
 * were never fed — so they are left out (show the span as `[4 latent steps]`, not as the text sampled there).
 *
 * @example
 * // outputIds [<|lvr_start|>, x, y, <|lvr_end|>, a] with inputs [token, latent, latent, token, token]
 * traceSegments(trace);
 * // [{ kind: 'tokens', ids: [<|lvr_start|>] }, { kind: 'latent', steps: 2 }, { kind: 'tokens', ids: [<|lvr_end|>, a] }]
 * traceSegments(trace).map((s) => (s.kind === 'tokens' ? tokenizer.decode(s.ids) : `[${s.steps} latent steps]`)).join('');
 */
export function traceSegments(trace: Pick<GenerateResult, 'outputIds' | 'inputs'>): TraceSegment[] {
  const out: TraceSegment[] = [];
  let ids: number[] = [];
  let steps = 0;
  for (let j = 0; j < trace.outputIds.length; j++) {
    if (trace.inputs[j] === 'latent') {
      if (ids.length > 0) out.push({ kind: 'tokens', ids });
      ids = [];
      steps++;
    } else {
      if (steps > 0) out.push({ kind: 'latent', steps });
      steps = 0;
      ids.push(trace.outputIds[j] as number);
    }
  }
  if (steps > 0) out.push({ kind: 'latent', steps });
  if (ids.length > 0) out.push({ kind: 'tokens', ids });
  return out;
}

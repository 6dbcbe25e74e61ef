/**
 * A stop strategy for the `lvr` command line: `per-span` gives the first latent span of a row FIRST steps and every
 * later span LATER steps (for a model that should look harder at the image once, then glance).
 *
 *   lvr infer --model runs/lvr --image cat.png --question "…" --require ./per-span.mjs --strategy per-span:8:2
 *   lvr eval --model runs/lvr --benchmark synthetic --data runs/suite --out r.jsonl \
 *     --require ./per-span.mjs --strategy per-span:8:2:force-end
 *
 * `lvr` imports this file, then calls `register` once with its own `@lvr/decoding` (so the strategy lands in the
 * registry the CLI reads, wherever this file lives). Plain JavaScript: the built CLI runs it without a compiler.
 */

/** @param {typeof import('@lvr/decoding')} decoding */
export function register({ registerStopStrategy, readSpecArgs }) {
  registerStopStrategy('per-span', (config) => {
    const first = config.first ?? 8;
    const later = config.later ?? first;
    for (const [field, v] of [['first', first], ['later', later]]) {
      // A plain error is fine: the registry reports it as CONFIG_INVALID naming the kind (exit 2 on the command line).
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`${field} must be an integer ≥ 0, got ${JSON.stringify(v)}`);
    }
    return {
      kind: 'per-span',
      needs: {},
      maxSteps: Math.max(first, later), // the loop ends a span here at the latest (stop reason 'budget')
      forceEnd: config.forceEnd === true,
      decide: (ctx) => (ctx.steps >= (ctx.spanIndex === 0 ? first : later) ? 'exit' : 'continue'),
    };
  }, {
    description: 'FIRST latent steps in the first span of a row, LATER in the others',
    usage: 'per-span:FIRST[:LATER][:force-end]',
    fromSpec: (args, spec) => ({
      ...readSpecArgs(spec, args, { positional: ['first', 'later'], flags: { 'force-end': 'forceEnd' }, closed: true }),
      kind: 'per-span',
    }),
  });
}

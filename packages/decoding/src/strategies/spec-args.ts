import { LvrError } from '@lvr/core';

/** How the arguments of one strategy's command-line spec map onto its config fields. */
export interface SpecLayout {
  /** Numeric fields filled in order by bare numbers (`fixed:8` → `steps`). */
  readonly positional?: readonly string[];
  /** Enumerated fields that a bare word selects (`latent-end:cosine` → `criterion: 'cosine'`). */
  readonly words?: Readonly<Record<string, readonly string[]>>;
  /** Bare flags and the boolean field they set (`force-end` → `forceEnd: true`). */
  readonly flags?: Readonly<Record<string, string>>;
  /** When true, `field=value` may only name the fields above (a typo is an error, not an ignored field). */
  readonly closed?: boolean;
}

function bad(spec: string, message: string): never {
  throw new LvrError('CONFIG_INVALID', `stop strategy spec ${JSON.stringify(spec)}: ${message}`, { details: { spec } });
}

/** `'true'`/`'false'` → boolean, a finite number → number, anything else stays a string. */
export function parseSpecValue(raw: string): string | number | boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  return Number.isFinite(n) ? n : raw;
}

/**
 * Reads spec arguments into config fields. Each argument is `field=value`, a bare number (next positional
 * field), a bare word of an enumerated field, or a flag. Without a layout only `field=value` is accepted.
 * Values are not range-checked here: the strategy's factory validates the resulting config.
 *
 * @example
 * readSpecArgs('latent-end:0.05:cosine', ['0.05', 'cosine'], { positional: ['threshold', 'maxSteps'],
 *   words: { criterion: ['mse', 'mae', 'cosine'] } }); // { threshold: 0.05, criterion: 'cosine' }
 */
export function readSpecArgs(spec: string, args: readonly string[], layout: SpecLayout = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const positional = [...(layout.positional ?? [])];
  const set = (field: string, value: unknown): void => {
    if (field in out) bad(spec, `${field} is given twice`);
    out[field] = value;
  };
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq > 0) {
      const field = arg.slice(0, eq).trim();
      const known = [...(layout.positional ?? []), ...Object.keys(layout.words ?? {}), ...Object.values(layout.flags ?? {})];
      if (layout.closed && !known.includes(field)) bad(spec, `unknown field ${JSON.stringify(field)}; fields: ${known.join(', ')}`);
      set(field, parseSpecValue(arg.slice(eq + 1).trim()));
      continue;
    }
    const flagField = layout.flags?.[arg];
    if (flagField !== undefined) {
      set(flagField, true);
      continue;
    }
    const wordField = Object.entries(layout.words ?? {}).find(([, allowed]) => allowed.includes(arg))?.[0];
    if (wordField !== undefined) {
      set(wordField, arg);
      continue;
    }
    const n = Number(arg);
    if (arg.trim() !== '' && Number.isFinite(n)) {
      const field = positional.find((f) => !(f in out));
      if (field === undefined) bad(spec, `too many numbers (${arg}); positional fields are ${(layout.positional ?? []).join(', ') || 'none'} (use field=value)`);
      positional.splice(positional.indexOf(field), 1);
      set(field, n);
      continue;
    }
    const known = [...Object.keys(layout.flags ?? {}), ...Object.values(layout.words ?? {}).flat()];
    bad(spec, `cannot read ${JSON.stringify(arg)}` + (known.length > 0 ? ` (words: ${known.join(', ')}; or field=value)` : ' (use field=value)'));
  }
  return out;
}

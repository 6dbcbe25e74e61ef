import * as z from 'zod';

/**
 * Field rules in the house wording, shared by every schema of @lvr so that the same limit reads the same way
 * everywhere ("must be an integer in 1..65536, got …"). The value found is appended by `checkWith`.
 */

/**
 * An integer in `min..max` (both inclusive).
 *
 * @example
 * intIn(1, 65536).parse(64); // 64
 */
export function intIn(min: number, max: number): z.ZodInt {
  const error = `must be an integer in ${min}..${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

/**
 * A safe integer ≥ `min`.
 *
 * @example
 * intAtLeast(1).safeParse(0).success; // false
 */
export function intAtLeast(min: number): z.ZodInt {
  const error = `must be an integer ≥ ${min}`;
  return z.int({ error }).min(min, { error });
}

/** Bounds of {@link numberIn}: closed unless marked open. */
export interface NumberRange {
  readonly loOpen?: boolean;
  readonly hiOpen?: boolean;
}

/**
 * A finite number in `[lo, hi]` (or with open ends).
 *
 * @example
 * numberIn(0, 1).parse(0.5); // 0.5
 * numberIn(0, 1e6, { loOpen: true }).safeParse(0).success; // false
 */
export function numberIn(lo: number, hi: number, range: NumberRange = {}): z.ZodNumber {
  const error = `must be a number in ${range.loOpen ? '(' : '['}${lo}, ${hi}${range.hiOpen ? ')' : ']'}`;
  let s = z.number({ error });
  s = range.loOpen ? s.gt(lo, { error }) : s.gte(lo, { error });
  return range.hiOpen ? s.lt(hi, { error }) : s.lte(hi, { error });
}

/**
 * A finite number ≥ `min` (or > `min` when `open`).
 *
 * @example
 * finiteFrom(0, true).safeParse(0).success; // false (must be > 0)
 */
export function finiteFrom(min: number, open = false): z.ZodNumber {
  const error = `must be a finite number ${open ? '>' : '≥'} ${min}`;
  const s = z.number({ error });
  return open ? s.gt(min, { error }) : s.gte(min, { error });
}

/**
 * One of a fixed list of strings: `must be one of a | b | c`.
 *
 * @example
 * oneOf(['cosine', 'linear', 'constant'] as const).parse('linear');
 */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T): z.ZodEnum<{ [K in T[number]]: K }> {
  return z.enum(values, { error: `must be one of ${values.join(' | ')}` });
}

/**
 * `true` or `false`.
 *
 * @example
 * flag().safeParse('yes').success; // false
 */
export function flag(): z.ZodBoolean {
  return z.boolean({ error: 'must be true or false' });
}

/**
 * A string of at least one character.
 *
 * @example
 * nonEmptyString().safeParse('').success; // false
 */
export function nonEmptyString(): z.ZodString {
  const error = 'must be a non-empty string';
  return z.string({ error }).min(1, { error });
}

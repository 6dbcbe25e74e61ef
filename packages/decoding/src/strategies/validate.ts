import { LvrError } from '@lvr/core';

/** Throws `CONFIG_INVALID` naming the strategy kind and field. */
export function invalidField(kind: string, field: string, value: unknown, rule: string): never {
  throw new LvrError('CONFIG_INVALID', `stop strategy '${kind}': ${field} must be ${rule}, got ${JSON.stringify(value)}`, {
    details: { kind, field, value },
  });
}

/** An integer ≥ `min`, or `fallback` when undefined. */
export function intField(kind: string, field: string, value: unknown, min: number, fallback?: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) invalidField(kind, field, value, `an integer ≥ ${min}`);
  return v;
}

/** Like {@link intField} but `undefined` stays `undefined` (no strategy budget: the loop's applies). */
export function optionalIntField(kind: string, field: string, value: unknown, min: number): number | undefined {
  return value === undefined ? undefined : intField(kind, field, value, min);
}

/** A finite number in [lo, hi] (open ends with `openLo` / `openHi`), or `fallback` when undefined. */
export function numberField(
  kind: string, field: string, value: unknown, fallback: number, lo: number, hi: number, open: { lo?: boolean; hi?: boolean } = {},
): number {
  const v = value ?? fallback;
  const ok = typeof v === 'number' && Number.isFinite(v) && (open.lo ? v > lo : v >= lo) && (open.hi ? v < hi : v <= hi);
  if (!ok) invalidField(kind, field, value, `a number in ${open.lo ? '(' : '['}${lo}, ${hi}${open.hi ? ')' : ']'}`);
  return v as number;
}

/** One of `allowed`, or `fallback` when undefined. */
export function enumField<T extends string>(kind: string, field: string, value: unknown, allowed: readonly T[], fallback: T): T {
  const v = value ?? fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    invalidField(kind, field, value, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return v as T;
}

/** A boolean, default false. */
export function boolField(kind: string, field: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') invalidField(kind, field, value, 'a boolean');
  return value;
}

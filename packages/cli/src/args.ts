import { resolve } from 'node:path';
import { isLvrError } from '@lvr/core';

/** A command-line mistake (unknown option, bad value, missing argument): reported with usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Option spec in `node:util` `parseArgs` form. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** One line for the help text. */
  readonly description: string;
  /** Placeholder shown in help for string options, e.g. `"N"` or `"DIR"`. */
  readonly valueName?: string;
  /** The option may be given several times; its value is then the list of every occurrence (`string[]`). */
  readonly multiple?: boolean;
}

/** Values parsed by `parseArgs` (a list for options with `multiple`). */
export type ParsedValues = Readonly<Record<string, string | boolean | readonly string[] | undefined>>;

/** Options every command accepts. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = Object.freeze({
  help: { type: 'boolean', short: 'h', description: 'show help and exit' },
  json: { type: 'boolean', description: 'print machine-readable JSON on stdout' },
  progress: { type: 'boolean', description: 'draw progress bars on stderr even when it is not a terminal' },
  verbose: { type: 'boolean', short: 'v', description: 'log more (level info)' },
  quiet: { type: 'boolean', short: 'q', description: 'log errors only' },
});

/**
 * An integer option: `undefined` when absent (so the library default applies), else the parsed value;
 * anything that is not an integer in `[min, max]` is a {@link UsageError} naming the option.
 *
 * @example
 * intOption({ seed: '7' }, 'seed'); // 7
 */
export function intOption(values: ParsedValues, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^[+-]?\d+$/.test(raw.trim())) {
    throw new UsageError(`--${name} expects an integer, got ${JSON.stringify(raw)}`);
  }
  const v = Number(raw);
  if (!Number.isSafeInteger(v) || v < min || v > max) throw new UsageError(`--${name} must be in ${min}..${max}, got ${v}`);
  return v;
}

/** A number option (finite), `undefined` when absent. */
export function numberOption(values: ParsedValues, name: string, min = -Infinity, max = Infinity): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(v) || v < min || v > max) throw new UsageError(`--${name} expects a number in [${min}, ${max}], got ${JSON.stringify(raw)}`);
  return v;
}

/** A comma-separated list option whose items must come from `allowed`; `undefined` when absent. */
export function listOption<T extends string>(values: ParsedValues, name: string, allowed: readonly T[]): T[] | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const items = String(raw).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (items.length === 0 || bad.length > 0) {
    throw new UsageError(`--${name} expects a comma-separated list of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return items as T[];
}

/**
 * A string option read by a library parser (a stop strategy, a sampler, a shard): `fallback` when absent;
 * the parser's `LvrError` becomes a {@link UsageError} naming the option (exit 2, not 1).
 *
 * @example
 * specOption(values, 'strategy', 'fixed:8', parseStrategySpec); // { kind: 'fixed', steps: 8 }
 */
export function specOption<T>(values: ParsedValues, name: string, fallback: string, parse: (spec: string) => T): T {
  const raw = values[name];
  if (raw !== undefined && typeof raw !== 'string') throw new UsageError(`--${name} expects a value`);
  try {
    return parse(raw ?? fallback);
  } catch (e) {
    if (isLvrError(e)) throw new UsageError(`--${name}: ${e.message}`);
    throw e;
  }
}

/** Every value of a repeatable string option (`multiple: true`), in command-line order; `[]` when absent. */
export function stringList(values: ParsedValues, name: string): string[] {
  const raw = values[name];
  if (raw === undefined) return [];
  if (typeof raw === 'string') return [raw];
  if (Array.isArray(raw) && raw.every((v) => typeof v === 'string')) return [...raw];
  throw new UsageError(`--${name} expects a value`);
}

/** A path option resolved against `cwd`, or `fallback` (resolved too) when absent; `undefined` if neither. */
export function pathOption(values: ParsedValues, name: string, cwd: string, fallback?: string): string | undefined {
  const raw = values[name];
  if (raw === undefined || raw === '') return fallback === undefined ? undefined : resolve(cwd, fallback);
  if (typeof raw !== 'string') throw new UsageError(`--${name} expects a path`);
  return resolve(cwd, raw);
}

/** Help lines for a set of options, aligned. */
export function formatOptions(options: Readonly<Record<string, OptionSpec>>): string {
  const rows = Object.entries(options).map(([name, o]) => {
    const value = o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}${o.multiple ? ' …' : ''}` : '';
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${value}`;
    return [flag, o.description] as const;
  });
  const w = Math.max(...rows.map(([f]) => f.length));
  return rows.map(([f, d]) => `  ${f.padEnd(w)}  ${d}`).join('\n');
}

/** Converts specs into the `options` argument of `node:util` `parseArgs`. */
export function toParseArgsOptions(
  options: Readonly<Record<string, OptionSpec>>,
): Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> {
  return Object.fromEntries(
    Object.entries(options).map(([k, o]) => [
      k, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
    ]),
  );
}

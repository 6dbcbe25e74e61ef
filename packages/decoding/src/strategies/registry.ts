import { LvrError, isLvrError } from '@lvr/core';
import type { ConvergeConfig } from './converge.js';
import type { EndProbConfig } from './end-prob.js';
import type { ExitProbConfig } from './exit-prob.js';
import type { FixedStepsConfig } from './fixed.js';
import type { LatentEndConfig } from './latent-end.js';
import type { ModeSwitchConfig } from './mode-switch.js';
import { builtinStopStrategies } from './register-builtins.js';
import { readSpecArgs } from './spec-args.js';
import type { StopStrategy } from './stop-strategy.js';

/** The configs of the built-in strategies: a discriminated union on `kind`. */
export type BuiltinStopStrategyConfig =
  | FixedStepsConfig | LatentEndConfig | ModeSwitchConfig | ConvergeConfig | EndProbConfig | ExitProbConfig;

/** The config of a user-registered strategy: its `kind` plus whatever fields its factory reads. */
export interface CustomStopStrategyConfig {
  readonly kind: string;
  readonly [field: string]: unknown;
}

/** Any strategy config `createStopStrategy` accepts. */
export type StopStrategyConfig = BuiltinStopStrategyConfig | CustomStopStrategyConfig;

/** Builds a strategy from its config (validating it). */
export type StopStrategyFactory<C extends { readonly kind: string } = CustomStopStrategyConfig> = (config: C) => StopStrategy;

/** Optional metadata of a registration (help text and command-line parsing). */
export interface StopStrategyRegistrationOptions<C extends { readonly kind: string } = CustomStopStrategyConfig> {
  /** One line for `--help` listings. */
  readonly description?: string;
  /** Spec syntax, e.g. `'fixed:N[:force-end]'`. */
  readonly usage?: string;
  /**
   * Turns the spec arguments (the parts after `kind:`, split on `:` and `,`) into a config. Default: every
   * argument must be `field=value` (numbers and `true`/`false` are converted).
   */
  readonly fromSpec?: (args: readonly string[], spec: string) => C;
}

/** A registered strategy as `listStopStrategies` reports it. */
export interface StopStrategyInfo {
  readonly kind: string;
  readonly description: string;
  readonly usage: string;
  readonly builtin: boolean;
}

interface Entry {
  readonly factory: StopStrategyFactory<never>;
  readonly options: StopStrategyRegistrationOptions<{ readonly kind: string }>;
  readonly builtin: boolean;
}

let registry: Map<string, Entry> | undefined;

function entries(): Map<string, Entry> {
  if (registry === undefined) {
    registry = new Map();
    for (const b of builtinStopStrategies()) registry.set(b.kind, { factory: b.factory, options: b.options, builtin: true });
  }
  return registry;
}

function knownKinds(): string {
  return [...entries().keys()].map((k) => `'${k}'`).join(', ');
}

/**
 * Registers a strategy kind so configs and command-line specs can select it. Throws `CONFIG_INVALID` when the
 * kind is already registered (built-in or not) or is not a lowercase name like `norm-drop`.
 *
 * @example
 * registerStopStrategy<{ kind: 'norm-drop'; below?: number }>('norm-drop', (c) => ({
 *   kind: 'norm-drop', needs: {}, maxSteps: 16,
 *   decide: (ctx) => (ctx.steps > 0 && norm(ctx.fedVectors[ctx.steps - 1]!) < (c.below ?? 1) ? 'exit' : 'continue'),
 * }), { usage: 'norm-drop[:below=X]' });
 * createStopStrategy({ kind: 'norm-drop', below: 0.5 });
 */
export function registerStopStrategy<C extends { readonly kind: string }>(
  kind: C['kind'],
  factory: StopStrategyFactory<C>,
  options: StopStrategyRegistrationOptions<C> = {},
): void {
  if (typeof kind !== 'string' || !/^[a-z][a-z0-9-]*$/.test(kind)) {
    throw new LvrError('CONFIG_INVALID', `registerStopStrategy: kind must be a lowercase name like 'norm-drop', got ${JSON.stringify(kind)}`, {
      details: { kind },
    });
  }
  if (typeof factory !== 'function') {
    throw new LvrError('CONFIG_INVALID', `registerStopStrategy('${kind}'): factory must be a function`, { details: { kind } });
  }
  const existing = entries().get(kind);
  if (existing !== undefined) {
    throw new LvrError('CONFIG_INVALID', `stop strategy '${kind}' is already registered${existing.builtin ? ' (built-in)' : ''}; ` +
      'pick another kind or unregister the old one first', { details: { kind } });
  }
  entries().set(kind, { factory: factory as StopStrategyFactory<never>, options, builtin: false });
}

/** Removes a user-registered kind (built-ins cannot be removed). Returns whether it was registered. */
export function unregisterStopStrategy(kind: string): boolean {
  const e = entries().get(kind);
  if (e === undefined) return false;
  if (e.builtin) throw new LvrError('CONFIG_INVALID', `stop strategy '${kind}' is built in and cannot be unregistered`, { details: { kind } });
  return entries().delete(kind);
}

/** Every registered strategy, built-ins first, then in registration order. */
export function listStopStrategies(): readonly StopStrategyInfo[] {
  return [...entries()].map(([kind, e]) => Object.freeze({
    kind, description: e.options.description ?? '', usage: e.options.usage ?? `${kind}[:field=value,…]`, builtin: e.builtin,
  }));
}

function lookup(kind: unknown, where: string): Entry {
  const e = typeof kind === 'string' ? entries().get(kind) : undefined;
  if (e === undefined) {
    throw new LvrError('CONFIG_INVALID', `${where}: unknown stop strategy kind ${JSON.stringify(kind)}; known kinds: ${knownKinds()}`, {
      details: { kind, known: [...entries().keys()] },
    });
  }
  return e;
}

/**
 * The strategies {@link parseStrategySpec} built, keyed by the (frozen) config it returned, with the registration
 * they were built from: passing that config on (to `generate`, `evaluateItems`, a GRPO config) reuses the instance,
 * so a spec is parsed and its strategy built exactly once.
 */
const parsed = new WeakMap<object, { readonly entry: Entry; readonly strategy: StopStrategy }>();

/**
 * Builds a strategy from a config through the registry. Unknown kinds fail with `CONFIG_INVALID` listing the
 * known ones; the factory validates the fields. A config returned by {@link parseStrategySpec} gives back the
 * strategy built while parsing (unless its kind was registered anew since).
 *
 * @example
 * const s = createStopStrategy({ kind: 'latent-end', threshold: 0.02, maxSteps: 16 });
 */
export function createStopStrategy(config: StopStrategyConfig): StopStrategy {
  if (typeof config !== 'object' || config === null) {
    throw new LvrError('CONFIG_INVALID', `createStopStrategy: config must be an object with a kind, got ${JSON.stringify(config)}`);
  }
  const entry = lookup(config.kind, 'createStopStrategy');
  const hit = parsed.get(config);
  if (hit !== undefined && hit.entry === entry) return hit.strategy;
  return build(entry, config);
}

/**
 * A user factory or spec parser may throw any error; it becomes `CONFIG_INVALID` naming the kind (cause kept), so a
 * bad custom config is reported like a bad built-in one (exit 2 on the command line).
 */
function asConfigError(e: unknown, kind: string, what: string): unknown {
  if (isLvrError(e)) return e;
  return new LvrError('CONFIG_INVALID', `stop strategy '${kind}': ${what}: ${e instanceof Error ? e.message : String(e)}`, {
    cause: e, details: { kind },
  });
}

function build(entry: Entry, config: StopStrategyConfig): StopStrategy {
  let strategy: StopStrategy;
  try {
    strategy = (entry.factory as StopStrategyFactory<StopStrategyConfig>)(config);
  } catch (e) {
    throw asConfigError(e, String(config.kind), 'invalid config');
  }
  if (typeof strategy !== 'object' || strategy === null || typeof strategy.decide !== 'function' || strategy.kind !== config.kind) {
    throw new LvrError('CONFIG_INVALID', `stop strategy factory for '${config.kind}' must return an object with ` +
      `kind '${config.kind}' and a decide function`, { details: { kind: config.kind } });
  }
  return strategy;
}

/**
 * Parses a command-line strategy spec into a config: `kind` followed by `:`- or `,`-separated arguments.
 * Built-ins: `fixed:8`, `fixed:8:force-end`, `latent-end:0.02:16` (threshold, maxSteps; `mse|mae|cosine` word),
 * `mode-switch:16` (maxSteps; `sampled|argmax|logit` word), `converge:0.99:16` (threshold, maxSteps),
 * `end-prob:0.5:16` and `exit-prob:0.5:16` (p, maxSteps). `field=value` works everywhere (`converge:minSteps=3`).
 *
 * The config is validated by building the strategy, once: the returned config is frozen, and
 * {@link createStopStrategy} (which `generate` calls) hands back that same instance for it.
 *
 * @example
 * parseStrategySpec('fixed:8:force-end'); // { kind: 'fixed', steps: 8, forceEnd: true }
 * parseStrategySpec('latent-end:0.05:16:cosine'); // { kind: 'latent-end', threshold: 0.05, maxSteps: 16, criterion: 'cosine' }
 */
export function parseStrategySpec(spec: string): StopStrategyConfig {
  const parts = String(spec).trim().split(/[:,]/).map((p) => p.trim()).filter((p) => p !== '');
  const [kind, ...args] = parts;
  const entry = lookup(kind ?? '', `stop strategy spec ${JSON.stringify(spec)}`);
  let fields: StopStrategyConfig;
  try {
    fields = entry.options.fromSpec !== undefined
      ? entry.options.fromSpec(args, spec)
      : { ...readSpecArgs(spec, args), kind: kind as string };
  } catch (e) {
    throw asConfigError(e, kind as string, `cannot read spec ${JSON.stringify(spec)}`);
  }
  const config: StopStrategyConfig = Object.freeze({ ...fields });
  const own = lookup(config.kind, `stop strategy spec ${JSON.stringify(spec)}`);
  parsed.set(config, { entry: own, strategy: build(own, config) });
  return config;
}

import { pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { LvrError, createLogger, pathExists } from '@lvr/core';
import * as decoding from '@lvr/decoding';
import { stringList, type OptionSpec, type ParsedValues } from './args.js';

const log = createLogger('lvr:require');

/** The `--require FILE` option of the commands that take `--strategy` (`infer`, `eval`, `rl`). */
export const REQUIRE_OPTION: OptionSpec = Object.freeze({
  type: 'string', multiple: true, valueName: 'FILE',
  description: 'ES module loaded before --strategy is read (repeatable): registers custom stop strategies',
});

/** What a `--require` module may export: a function called once with the CLI's own `@lvr/decoding`. */
type RegisterFn = (api: typeof decoding) => unknown;

/** Modules whose register function already ran in this process (ES modules are evaluated once, so are they). */
const registered = new Set<string>();

function registerFnOf(mod: Record<string, unknown>): RegisterFn | undefined {
  const fn = typeof mod.register === 'function' ? mod.register : mod.default;
  return typeof fn === 'function' ? (fn as RegisterFn) : undefined;
}

/**
 * Loads every `--require FILE` (paths relative to `cwd`, in command-line order) so the stop strategies they register
 * can be named in `--strategy`. A module registers on import (`registerStopStrategy` from `@lvr/decoding`), or exports
 * `register(decoding)` (or a default function) that is called once with the CLI's own `@lvr/decoding` — the form to
 * use when the module lives outside this installation and could resolve another copy of the package, whose registry
 * the CLI would not see. Returns the kinds the modules added.
 *
 * A missing file is `IO_ERROR`; a module that throws while loading or registering is `CONFIG_INVALID` naming it.
 *
 * @example
 * // lvr infer --require ./norm-drop.mjs --strategy norm-drop:0.5 …
 * await loadRequiredModules({ require: ['./norm-drop.mjs'] }, process.cwd()); // ['norm-drop']
 */
export async function loadRequiredModules(values: ParsedValues, cwd: string): Promise<string[]> {
  const files = stringList(values, 'require');
  const before = new Set(decoding.listStopStrategies().map((s) => s.kind));
  for (const file of files) {
    const path = isAbsolute(file) ? file : resolve(cwd, file);
    const url = pathToFileURL(path).href;
    if (!(await pathExists(path))) throw new LvrError('IO_ERROR', `--require ${file}: no such file (${path})`, { details: { file: path } });
    let mod: Record<string, unknown>;
    try {
      mod = (await import(url)) as Record<string, unknown>;
    } catch (cause) {
      throw new LvrError('CONFIG_INVALID', `--require ${file}: the module failed to load: ${(cause as Error)?.message ?? String(cause)}`, {
        cause, details: { file: path },
      });
    }
    const register = registerFnOf(mod);
    if (register !== undefined && !registered.has(url)) {
      registered.add(url);
      try {
        await register(decoding);
      } catch (cause) {
        const message = `--require ${file}: its register function failed: ${(cause as Error)?.message ?? String(cause)}`;
        throw new LvrError('CONFIG_INVALID', message, { cause, details: { file: path } });
      }
    }
  }
  const added = decoding.listStopStrategies().map((s) => s.kind).filter((k) => !before.has(k));
  if (files.length > 0) log.info('loaded --require modules', { files, added });
  return added;
}

import type { ProgressCallback } from '@lvr/core';
import type { OptionSpec, ParsedValues } from '../args.js';
import type { CliIo } from '../io.js';

/** What a command gets besides its parsed options. */
export interface CommandContext {
  readonly io: CliIo;
  /** `--json`: print one JSON document on stdout and nothing else there. */
  readonly json: boolean;
  /** Progress consumer (a bar on stderr), when progress is shown. */
  readonly onProgress?: ProgressCallback | undefined;
}

/**
 * One `lvr <name>` command. `run` returns the process exit code; it throws `UsageError` for command-line
 * mistakes (exit 2) and lets `LvrError`s propagate (exit 1).
 *
 * The module that defines a command stays light: it imports heavy packages (`@lvr/model` and tfjs, `@lvr/eval`,
 * `@lvr/data` and sharp, ONNX Runtime) inside `run` with `await import(…)`, so `lvr --help` and `lvr <name> --help`
 * load none of them (`help-imports.test.ts` checks it). A command whose help text needs them is a {@link LazyCommand}.
 */
export interface Command {
  readonly name: string;
  /** One line for `lvr --help`. */
  readonly summary: string;
  /** Usage line(s) and description for `lvr <name> --help` (options are appended automatically). */
  readonly help: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Accept positional arguments (available as `values._`), e.g. `lvr export onnx`. */
  readonly positionals?: boolean;
  run(values: ParsedValues, ctx: CommandContext): Promise<number>;
}

/**
 * A command listed by name and summary only, whose module is imported when it runs or its help is asked for: for
 * commands whose module (help text included) needs heavy packages at import. `lvr --help` never loads it.
 *
 * @example
 * const ablate: LazyCommand = { name: 'ablate', summary: '…', load: async () => (await import('./ablate.js')).ablateCommand };
 */
export interface LazyCommand {
  readonly name: string;
  /** One line for `lvr --help`; must equal the loaded command's `summary` (tested). */
  readonly summary: string;
  load(): Promise<Command>;
}

/** An entry of the `lvr` command list: a command whose module is light, or a {@link LazyCommand}. */
export type CommandEntry = Command | LazyCommand;

/** The command of an entry, importing a lazy one's module. */
export async function loadCommand(entry: CommandEntry): Promise<Command> {
  return 'load' in entry ? entry.load() : entry;
}

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

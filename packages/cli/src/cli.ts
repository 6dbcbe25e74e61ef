import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { getLogLevel, isLvrError, setLogLevel, setLogSink, type LogRecord } from '@lvr/core';
import { GLOBAL_OPTIONS, UsageError, formatOptions, toParseArgsOptions, type OptionSpec, type ParsedValues } from './args.js';
import { loadCommand, type Command, type CommandEntry, type LazyCommand } from './commands/command.js';
import { synthCommand } from './commands/synth.js';
import { trainCommand } from './commands/train.js';
import { inferCommand } from './commands/infer.js';
import { exportCommand } from './commands/export.js';
import { evalCommand } from './commands/eval.js';
import { reportCommand } from './commands/report.js';
import { rlCommand } from './commands/rl.js';
import { probeCommand } from './commands/probe.js';
import type { CliIo } from './io.js';
import { ProgressBar } from './progress-bar.js';

/**
 * The research orchestration commands: their modules (help text included) import the training and evaluation
 * packages, so they are listed by name and summary and imported only when they run or show their help.
 */
const demoEntry: LazyCommand = {
  name: 'demo',
  summary: 'run the end-to-end demo (base probe → chase-k study → perception task SFT / LVR / LIVR → evaluation + probes → report)',
  load: async () => (await import('./commands/demo.js')).demoCommand,
};
const ablateEntry: LazyCommand = {
  name: 'ablate',
  summary: 'ablation of the LVR training variants vs SFT and LIVR over seeds (table + charts)',
  load: async () => (await import('./commands/ablate.js')).ablateCommand,
};

/**
 * Every `lvr` command, in help order. The command modules import only light packages at the top (heavy ones inside
 * `run`), so `lvr --help` and `lvr <command> --help` load neither tfjs nor sharp (`help-imports.test.ts`).
 */
export const COMMANDS: readonly CommandEntry[] = Object.freeze([
  synthCommand, trainCommand, rlCommand, evalCommand, inferCommand, probeCommand, reportCommand, exportCommand, demoEntry, ablateEntry,
]);

/** Exit codes: 0 success, 1 failure (an `LvrError` or unexpected error), 2 command-line mistake. */
export const EXIT = Object.freeze({ ok: 0, error: 1, usage: 2 });

/** `lvr --help` text. */
export function mainUsage(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: lvr <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'Options:',
    formatOptions({ ...GLOBAL_OPTIONS, version: { type: 'boolean', description: 'print the version and exit' } }),
    '',
    "Run 'lvr <command> --help' or 'lvr help <command>' for a command's options.",
  ].join('\n');
}

/** `lvr <command> --help` text. */
export function commandUsage(cmd: Command): string {
  return `${cmd.help}\n\nOptions:\n${formatOptions({ ...cmd.options, ...GLOBAL_OPTIONS })}`;
}

async function cliVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

function formatLog(r: LogRecord): string {
  const extra = r.data && Object.keys(r.data).length > 0 ? ` ${JSON.stringify(r.data)}` : '';
  return `[${r.level}] ${r.namespace}: ${r.message}${extra}`;
}

/** The error message chain (`message` and each `cause`'s message), for stderr. */
function describeError(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur !== undefined && depth < 5; depth++) {
    if (cur instanceof Error) {
      parts.push(depth === 0 ? cur.message : `caused by: ${cur.message}`);
      cur = cur.cause;
    } else {
      parts.push(depth === 0 ? String(cur) : `caused by: ${String(cur)}`);
      break;
    }
  }
  return parts.join('\n  ');
}

/**
 * `--steps -5` → `--steps=-5`. `node:util` `parseArgs` refuses a value that starts with `-` as "ambiguous",
 * so a negative number would never reach the option's own range check; joined, it does (exit 2 with the
 * range). Only values that look like numbers are joined, so `--out -x` still fails as before.
 */
function joinNegativeNumbers(args: readonly string[], options: Readonly<Record<string, OptionSpec>>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    const spec = arg.startsWith('--') && !arg.includes('=') ? options[arg.slice(2)] : undefined;
    if (spec?.type === 'string' && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** The command of an entry; a lazy command whose module fails to load is reported on stderr (undefined). */
async function loadEntry(entry: CommandEntry, io: CliIo): Promise<Command | undefined> {
  try {
    return await loadCommand(entry);
  } catch (e) {
    io.stderr.write(`lvr ${entry.name}: cannot load the command: ${describeError(e)}\n`);
    return undefined;
  }
}

/**
 * `lvr help` (= `lvr --help`) and `lvr help <command>` (= `lvr <command> --help`); an unknown command name exits 2
 * with the list of commands.
 */
async function runHelp(args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...extra] = args;
  if (name === undefined) {
    io.stdout.write(`${mainUsage()}\n`);
    return EXIT.ok;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined || extra.length > 0) {
    const problem = entry === undefined ? `unknown command ${JSON.stringify(name)}` : `expects one command name, got ${args.length}`;
    io.stderr.write(`lvr help: ${problem}\n\n${mainUsage()}\n`);
    return EXIT.usage;
  }
  const cmd = await loadEntry(entry, io);
  if (cmd === undefined) return EXIT.error;
  io.stdout.write(`${commandUsage(cmd)}\n`);
  return EXIT.ok;
}

/**
 * Runs `lvr` with the given arguments (without `node` and the script path) and returns the exit code.
 * Never calls `process.exit`, so tests run commands in-process with a {@link CliIo} from `memoryIo`.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), processIo());
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(`${mainUsage()}\n`);
    return EXIT.usage;
  }
  if (first === '--help' || first === '-h') {
    io.stdout.write(`${mainUsage()}\n`);
    return EXIT.ok;
  }
  if (first === 'help') return runHelp(rest, io);
  if (first === '--version') {
    io.stdout.write(`${await cliVersion()}\n`);
    return EXIT.ok;
  }
  const entry = COMMANDS.find((c) => c.name === first);
  if (entry === undefined) {
    io.stderr.write(`lvr: unknown command ${JSON.stringify(first)}\n\n${mainUsage()}\n`);
    return EXIT.usage;
  }
  const cmd = await loadEntry(entry, io);
  if (cmd === undefined) return EXIT.error;

  let values: ParsedValues;
  try {
    const parsed = parseArgs({
      args: joinNegativeNumbers(rest, { ...cmd.options, ...GLOBAL_OPTIONS }),
      options: toParseArgsOptions({ ...cmd.options, ...GLOBAL_OPTIONS }),
      allowPositionals: cmd.positionals === true,
      strict: true,
    });
    values = parsed.values as ParsedValues;
    if (cmd.positionals === true) (values as Record<string, unknown>)._ = parsed.positionals;
  } catch (e) {
    io.stderr.write(`lvr ${cmd.name}: ${(e as Error).message}\n\n${commandUsage(cmd)}\n`);
    return EXIT.usage;
  }
  if (values.help === true) {
    io.stdout.write(`${commandUsage(cmd)}\n`);
    return EXIT.ok;
  }

  const showProgress = values.progress === true || io.stderr.isTTY === true;
  const bar = showProgress ? new ProgressBar(io.stderr) : undefined;
  const prevLevel = getLogLevel();
  const prevSink = setLogSink((r) => (bar ? bar.log(formatLog(r)) : io.stderr.write(`${formatLog(r)}\n`)));
  if (values.verbose === true) setLogLevel('info');
  if (values.quiet === true) setLogLevel('error');
  try {
    return await cmd.run(values, { io, json: values.json === true, onProgress: bar?.onProgress });
  } catch (e) {
    bar?.clear();
    if (e instanceof UsageError) {
      io.stderr.write(`lvr ${cmd.name}: ${e.message}\n\n${commandUsage(cmd)}\n`);
      return EXIT.usage;
    }
    if (isLvrError(e)) {
      io.stderr.write(`lvr ${cmd.name}: error [${e.code}]: ${describeError(e)}\n`);
      return EXIT.error;
    }
    io.stderr.write(`lvr ${cmd.name}: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.error;
  } finally {
    setLogSink(prevSink);
    setLogLevel(prevLevel);
  }
}

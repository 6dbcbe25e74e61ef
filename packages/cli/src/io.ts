/** A writable text stream as the CLI sees it (a subset of `process.stdout` / `process.stderr`). */
export interface CliStream {
  write(text: string): unknown;
  /** True when the stream is a terminal (progress bars are drawn only then, unless `--progress`). */
  readonly isTTY?: boolean | undefined;
  /** Terminal width in columns, when known. */
  readonly columns?: number | undefined;
}

/** Everything a command touches outside itself, so tests can run commands in-process. */
export interface CliIo {
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  /** Folder that relative paths are resolved against. */
  readonly cwd: string;
}

/**
 * The real process streams and working directory.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), processIo());
 */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() };
}

/** An in-memory {@link CliIo} for tests: everything written is collected in `out` / `err`. */
export function memoryIo(cwd: string, opts: { tty?: boolean } = {}): CliIo & { out: () => string; err: () => string } {
  const outChunks: string[] = [];
  const errChunks: string[] = [];
  return {
    cwd,
    stdout: { write: (t: string) => outChunks.push(t), isTTY: opts.tty ?? false },
    stderr: { write: (t: string) => errChunks.push(t), isTTY: opts.tty ?? false, columns: 80 },
    out: () => outChunks.join(''),
    err: () => errChunks.join(''),
  };
}

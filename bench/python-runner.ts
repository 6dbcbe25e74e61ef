/**
 * Spawning the Python references (tools/torch-reference/bench_*.py, tools/pil-reference/preprocess.py) and
 * checking the JSON they print. For the PyTorch commands only, `OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE` are
 * removed from the child's environment (the issue's measurement setting); the parent's environment is untouched.
 */
import { execFile } from 'node:child_process';
import { LvrError } from '@lvr/core';

/** The interpreter with Debian's python3-torch / Pillow (override with LVR_TORCH_PYTHON, as the oracle test does). */
export const PYTHON = process.env.LVR_TORCH_PYTHON ?? '/usr/bin/python3';

/** Variables removed from the environment of the PyTorch child processes. */
export const OPENBLAS_UNSET = Object.freeze(['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE']);

/** Options of {@link runPythonJson}. */
export interface RunPythonOptions {
  /** Drop {@link OPENBLAS_UNSET} from the child's environment (PyTorch commands). */
  readonly unsetOpenblas?: boolean;
  /** Extra variables for the child. */
  readonly env?: Readonly<Record<string, string>>;
  /** Kill the child after this many ms. Default 180 000. */
  readonly timeoutMs?: number;
  readonly cwd?: string;
}

/** The child's environment: the parent's, minus the OpenBLAS variables when asked, plus `extra`. */
export function childEnv(unsetOpenblas: boolean, extra: Readonly<Record<string, string>> = {}, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ...extra };
  if (unsetOpenblas) for (const k of OPENBLAS_UNSET) delete env[k];
  return env;
}

/** The last non-empty line of `stdout` parsed as a JSON object; `IO_ERROR` naming `what` otherwise. */
export function lastJsonLine(stdout: string, what: string): Record<string, unknown> {
  const line = stdout.trim().split('\n').filter((l) => l.trim() !== '').pop();
  if (line === undefined) throw new LvrError('IO_ERROR', `${what}: printed no JSON`);
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (cause) {
    throw new LvrError('IO_ERROR', `${what}: the last output line is not JSON: ${line.slice(0, 200)}`, { cause });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new LvrError('IO_ERROR', `${what}: expected a JSON object, got ${line.slice(0, 200)}`);
  return v as Record<string, unknown>;
}

/**
 * Runs `python script args…` and returns the JSON object of its last output line.
 *
 * @throws LvrError `BACKEND_UNAVAILABLE` when the interpreter cannot be started, `IO_ERROR` on a non-zero exit,
 *   a timeout or output that is not JSON (the message carries the end of stderr).
 * @example
 * const out = await runPythonJson('tools/torch-reference/bench_train.py', [modelDir], { unsetOpenblas: true });
 */
export function runPythonJson(script: string, args: readonly string[], o: RunPythonOptions = {}): Promise<Record<string, unknown>> {
  const what = `${script} ${args.join(' ')}`.trim();
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      [script, ...args],
      { env: childEnv(o.unsetOpenblas ?? false, o.env), timeout: o.timeoutMs ?? 180_000, maxBuffer: 64 * 1024 * 1024, cwd: o.cwd },
      (err, stdout, stderr) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') {
            reject(new LvrError('BACKEND_UNAVAILABLE', `${PYTHON} not found (set LVR_TORCH_PYTHON or pass --skip-torch)`, { cause: err }));
            return;
          }
          const tail = String(stderr).trim().split('\n').slice(-6).join('\n');
          reject(new LvrError('IO_ERROR', `${what} failed (${err.killed ? 'timed out' : `exit ${String(err.code)}`}): ${tail}`, { cause: err }));
          return;
        }
        try {
          resolve(lastJsonLine(String(stdout), what));
        } catch (e) {
          reject(e);
        }
      },
    );
  });
}

/** A finite number at `obj[key]`, or `IO_ERROR` naming the file and field. */
export function num(obj: unknown, key: string, what: string): number {
  const v = (obj as Record<string, unknown> | null)?.[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new LvrError('IO_ERROR', `${what}: field "${key}" must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}

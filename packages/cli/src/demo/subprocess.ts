import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LvrError, type Logger } from '@lvr/core';

/** The `lvr` entry of this package (source under tsx, or the built file). */
function binPath(): string {
  const fromSource = import.meta.url.endsWith('.ts');
  return fileURLToPath(new URL(fromSource ? '../bin.ts' : '../bin.js', import.meta.url));
}

/**
 * Runs `lvr <args…>` in a child process (one tfjs-wasm instance per core: two trainings run in parallel on a
 * 2-core machine). Resolves with the command's stdout; a non-zero exit is an `LvrError` carrying its stderr.
 */
export function runLvr(args: readonly string[], log: Logger, label: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, binPath(), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); if (err.length > 200_000) err = err.slice(-100_000); });
    child.on('error', (cause) => reject(new LvrError('IO_ERROR', `could not start lvr ${args.join(' ')}`, { cause })));
    child.on('close', (code) => {
      if (code === 0) {
        log.info(`${label} finished`);
        resolve(out);
      } else {
        reject(new LvrError('IO_ERROR', `lvr ${args.join(' ')} exited with code ${code}: ${err.split('\n').filter((l) => !l.startsWith('npm warn')).slice(-8).join('\n')}`));
      }
    });
  });
}

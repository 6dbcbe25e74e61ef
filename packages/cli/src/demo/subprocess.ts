import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LvrError, type Logger } from '@lvr/core';

/**
 * Node arguments that start the `lvr` entry of this package: the built file, or — running from source (tests,
 * `npm run demo`) — `src/bin.ts` under tsx with the `@lvr/source` condition (as the `bin/lvr.js` shim does).
 */
function lvrNodeArgs(): string[] {
  if (!import.meta.url.endsWith('.ts')) return [...process.execArgv, fileURLToPath(new URL('../bin.js', import.meta.url))];
  return ['--conditions=@lvr/source', '--import', import.meta.resolve('tsx'), fileURLToPath(new URL('../bin.ts', import.meta.url))];
}

/**
 * Runs `lvr <args…>` in a child process (one tfjs-wasm instance per core: two trainings run in parallel on a
 * 2-core machine). Resolves with the command's stdout; a non-zero exit is an `LvrError` carrying its stderr.
 */
export function runLvr(args: readonly string[], log: Logger, label: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...lvrNodeArgs(), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
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

import * as tf from '@tensorflow/tfjs';
import { LvrError, createLogger } from '@lvr/core';

const log = createLogger('lvr:model:backend');

/** Which tfjs backend runs the model. */
export type BackendName = 'wasm' | 'tensorflow' | 'cpu';

export interface InitBackendOptions {
  /**
   * `auto` (default): use `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node` when the user has
   * installed one (native TensorFlow, CUDA for -gpu), otherwise the single-threaded SIMD wasm backend.
   * `wasm` / `cpu` force a backend (`cpu` is 15–25× slower and only meant for debugging).
   */
  prefer?: (typeof BACKEND_PREFERENCES)[number];
}

let initialised: BackendName | undefined;

/** The values of {@link InitBackendOptions.prefer} and of the `LVR_BACKEND` environment variable. */
export const BACKEND_PREFERENCES = Object.freeze(['auto', 'wasm', 'native', 'cpu'] as const);

async function tryImport(name: string): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Selects and initialises the tfjs backend once per process. Safe to call repeatedly.
 *
 * @example
 * const name = await initBackend(); // 'wasm' on a stock install, 'tensorflow' with tfjs-node installed
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendName> {
  const env = process.env.LVR_BACKEND;
  const requested: string = options.prefer ?? (env === undefined || env === '' ? 'auto' : env);
  if (!(BACKEND_PREFERENCES as readonly string[]).includes(requested)) {
    const source = options.prefer !== undefined ? 'initBackend: prefer' : 'the LVR_BACKEND environment variable';
    throw new LvrError('CONFIG_INVALID', `${source} must be one of ${BACKEND_PREFERENCES.join(', ')}, got ${JSON.stringify(requested)}`);
  }
  const prefer = requested as NonNullable<InitBackendOptions['prefer']>;
  if (initialised && (prefer === 'auto' || backendMatches(initialised, prefer))) return initialised;
  if (prefer === 'auto' || prefer === 'native') {
    const native = (await tryImport('@tensorflow/tfjs-node-gpu')) || (await tryImport('@tensorflow/tfjs-node'));
    if (native && (await tf.setBackend('tensorflow'))) {
      await tf.ready();
      initialised = 'tensorflow';
      log.info('using native TensorFlow backend (tfjs-node)');
      return initialised;
    }
    if (prefer === 'native') {
      throw new LvrError('BACKEND_UNAVAILABLE', 'prefer: native was requested but neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node could be loaded');
    }
  }
  if (prefer === 'cpu') {
    await tf.setBackend('cpu');
    await tf.ready();
    initialised = 'cpu';
    return initialised;
  }
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
    await tf.ready();
  } catch (cause) {
    throw new LvrError('BACKEND_UNAVAILABLE', 'could not initialise the @tensorflow/tfjs-backend-wasm backend', { cause });
  }
  initialised = 'wasm';
  return initialised;
}

function backendMatches(name: BackendName, prefer: NonNullable<InitBackendOptions['prefer']>): boolean {
  return (prefer === 'wasm' && name === 'wasm') || (prefer === 'cpu' && name === 'cpu') || (prefer === 'native' && name === 'tensorflow');
}

/** The backend in use (after `initBackend`). */
export function currentBackend(): string {
  return tf.getBackend();
}

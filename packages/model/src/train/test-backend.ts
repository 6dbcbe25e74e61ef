import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { LvrError } from '@lvr/core';

/**
 * Test helper: switches tfjs to the wasm backend (the one training uses) and waits until it is ready.
 * Never falls back to the cpu backend silently.
 *
 * @example
 * beforeAll(async () => { await useWasmBackend(); });
 */
export async function useWasmBackend(): Promise<void> {
  if (tf.getBackend() !== 'wasm') {
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new LvrError('BACKEND_UNAVAILABLE', 'tfjs wasm backend could not be initialised');
  }
  await tf.ready();
}

/** Number of live tfjs tensors (for leak assertions). */
export function liveTensors(): number {
  return tf.memory().numTensors;
}

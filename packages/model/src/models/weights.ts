import * as tf from '@tensorflow/tfjs';
import { LvrError } from '@lvr/core';
import type { ParamStore } from './params.js';

/** A backend-neutral named weight as stored in `model.safetensors`. */
export interface NamedWeight {
  shape: number[];
  data: Float32Array;
}

/**
 * Whether a parameter's on-disk layout differs from its in-memory one. Always false: linear weights are held
 * (out, in) in memory exactly as PyTorch / transformers store them. Kept so tools can ask.
 */
export function isTransposedOnDisk(_name: string, _shape: readonly number[]): boolean {
  return false;
}

function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] as number;
  return out;
}

/** Reads every parameter into HF on-disk layout (sorted by name). */
export function exportWeights(store: ParamStore): Record<string, NamedWeight> {
  const out: Record<string, NamedWeight> = {};
  for (const name of [...store.keys()].sort()) {
    const v = store.get(name)!.variable;
    const data = Float32Array.from(v.dataSync() as Float32Array);
    if (isTransposedOnDisk(name, v.shape)) {
      const [r, c] = v.shape as [number, number];
      out[name] = { shape: [c, r], data: transpose2d(data, r, c) };
    } else {
      out[name] = { shape: [...v.shape], data };
    }
  }
  return out;
}

/**
 * Assigns weights in HF on-disk layout into the store. Missing, unexpected or mis-shaped tensors raise a
 * `CHECKPOINT` error naming them (`source` names the file).
 */
export function importWeights(store: ParamStore, weights: Record<string, NamedWeight>, source = 'model.safetensors'): void {
  const missing = [...store.keys()].filter((k) => !(k in weights));
  const extra = Object.keys(weights).filter((k) => !store.has(k));
  if (missing.length > 0 || extra.length > 0) {
    throw new LvrError('CHECKPOINT', `${source}: ${missing.length ? `missing tensors ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ' …' : ''}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `unexpected tensors ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ' …' : ''}` : ''}`);
  }
  for (const [name, e] of store) {
    const w = weights[name]!;
    const want = isTransposedOnDisk(name, e.variable.shape) ? [e.variable.shape[1], e.variable.shape[0]] : e.variable.shape;
    if (w.shape.length !== want.length || w.shape.some((d, i) => d !== want[i])) {
      throw new LvrError('CHECKPOINT', `${source}: tensor "${name}" has shape [${w.shape.join(', ')}], expected [${want.join(', ')}]`);
    }
    if (w.data.length !== e.variable.size) throw new LvrError('CHECKPOINT', `${source}: tensor "${name}" has ${w.data.length} values, expected ${e.variable.size}`);
    for (let i = 0; i < w.data.length; i++) {
      if (!Number.isFinite(w.data[i])) throw new LvrError('CHECKPOINT', `${source}: tensor "${name}" contains a non-finite value at ${i}`);
    }
    const data = isTransposedOnDisk(name, e.variable.shape) ? transpose2d(w.data, w.shape[0]!, w.shape[1]!) : w.data;
    tf.tidy(() => e.variable.assign(tf.tensor(data, e.variable.shape)));
  }
}

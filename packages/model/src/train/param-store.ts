import * as tf from '@tensorflow/tfjs';
import { LvrError, type Rng } from '@lvr/core';

/**
 * A model's parameters as the trainer sees them: an insertion-ordered map from a stable name
 * (`decoder.layers.0.attn.wq`) to a tf.Variable plus training flags. The trainer is model-agnostic: it
 * optimises whatever is in the store.
 */
export interface ParamEntry {
  variable: tf.Variable;
  /** Receives gradients and updates. Kept in sync with `variable.trainable`. */
  trainable: boolean;
  /** AdamW weight decay applies (false for norms, biases and, if configured, embeddings). */
  decay: boolean;
  /** Module the parameter belongs to (`vision`, `merger`, `decoder.layers.0`, `lvr_head`, …). */
  module: string;
  /**
   * Train only some rows of a matrix (e.g. LIVR's latent-token rows of the embedding): a (rows) 0/1 mask the
   * trainer multiplies into the gradient before clipping. Set `decay: false` too, so weight decay leaves the
   * frozen rows alone.
   */
  gradRowMask?: Float32Array | undefined;
}

/** Ordered parameter map; see {@link ParamEntry}. */
export type ParamStore = Map<string, ParamEntry>;

/** Options of {@link addParam}. */
export interface AddParamOptions {
  module: string;
  /** Default true. */
  trainable?: boolean;
  /** Default: true for rank ≥ 2 tensors (matrices), false for vectors and scalars (norm gains, biases). */
  decay?: boolean;
}

/**
 * Adds a float32 parameter initialised from `init` (the caller keeps ownership of `init`).
 *
 * @example
 * const store: ParamStore = new Map();
 * addParam(store, 'head.w', initNormal([16, 4], new Rng(42)), { module: 'head' });
 */
export function addParam(store: ParamStore, name: string, init: tf.Tensor, opts: AddParamOptions): tf.Variable {
  if (name === '' || store.has(name)) {
    throw new LvrError('INVALID_ARGUMENT', `addParam: parameter name "${name}" is empty or already used`, { details: { name } });
  }
  if (init.dtype !== 'float32') {
    throw new LvrError('INVALID_ARGUMENT', `addParam: parameter "${name}" must be float32, got ${init.dtype}`, { details: { name } });
  }
  const trainable = opts.trainable ?? true;
  const variable = tf.variable(init, trainable);
  store.set(name, { variable, trainable, decay: opts.decay ?? init.rank >= 2, module: opts.module });
  return variable;
}

function belongs(module: string, prefix: string): boolean {
  return module === prefix || module.startsWith(`${prefix}.`);
}

function setTrainable(store: ParamStore, modules: readonly string[], trainable: boolean, who: string): number {
  let n = 0;
  for (const m of modules) {
    let hit = 0;
    for (const e of store.values()) {
      if (!belongs(e.module, m)) continue;
      e.trainable = trainable;
      e.variable.trainable = trainable;
      hit++;
    }
    if (hit === 0) {
      const known = [...new Set([...store.values()].map((e) => e.module))].join(', ');
      throw new LvrError('INVALID_ARGUMENT', `${who}: no parameter belongs to module "${m}" (modules: ${known})`, { details: { module: m } });
    }
    n += hit;
  }
  return n;
}

/**
 * Freezes every parameter whose module is one of `modules` or nested under one (`vision` also matches
 * `vision.blocks.0`). Returns the number of parameters frozen; an unknown module name is an error.
 *
 * @example
 * freezeModules(store, ['vision', 'merger']); // LVR stage 1 trains the LLM only
 */
export function freezeModules(store: ParamStore, modules: readonly string[]): number {
  return setTrainable(store, modules, false, 'freezeModules');
}

/** Inverse of {@link freezeModules}. */
export function unfreezeModules(store: ParamStore, modules: readonly string[]): number {
  return setTrainable(store, modules, true, 'unfreezeModules');
}

/** The trainable entries in store order, as `[name, entry]` pairs. */
export function trainableParams(store: ParamStore): [string, ParamEntry][] {
  return [...store].filter(([, e]) => e.trainable);
}

/** Number of scalar parameters (all, or trainable only). */
export function paramCount(store: ParamStore, opts: { trainableOnly?: boolean } = {}): number {
  let n = 0;
  for (const e of store.values()) if (!opts.trainableOnly || e.trainable) n += e.variable.size;
  return n;
}

/** Disposes every variable and empties the store. */
export function disposeParams(store: ParamStore): void {
  for (const e of store.values()) e.variable.dispose();
  store.clear();
}

/**
 * A seeded N(0, std²) float32 tensor drawn from `rng` in row-major order (tfjs has no global seed, so
 * initialisation goes through our `Rng`: the same seed gives the same weights on every backend).
 *
 * @example
 * const w = initNormal([64, 64], rng, 0.02);
 */
export function initNormal(shape: readonly number[], rng: Rng, std = 0.02): tf.Tensor {
  let n = 1;
  for (const d of shape) n *= d;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.normal() * std;
  return tf.tensor(data, [...shape], 'float32');
}

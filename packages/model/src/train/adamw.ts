import * as tf from '@tensorflow/tfjs';
import * as z from 'zod';
import { LvrError } from '@lvr/core';
import { finiteFrom, numberIn, parseWith } from '@lvr/data';
import type { OptimizerState } from '../io/trainer-state.js';

/** AdamW hyper-parameters (PyTorch defaults except weight decay, which follows `torch.optim.AdamW`: 0.01). */
export interface AdamWOptions {
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  eps?: number;
  /** Decoupled weight decay, applied only to params with `decay: true`. Default 0.01. */
  weightDecay?: number;
}

/** One parameter handed to {@link AdamW}. */
export interface AdamWParam {
  name: string;
  variable: tf.Variable;
  decay: boolean;
}

interface Slot {
  m: tf.Variable;
  v: tf.Variable;
  t: number;
}

/** A non-trainable variable holding `t`'s data; `t` itself is disposed. */
function ownedVariable(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t, false);
  t.dispose();
  return v;
}

/** The fields of {@link AdamWOptions}: β in [0, 1), ε > 0, weight decay ≥ 0 (the trainer config nests it as `adamw`). */
export const adamwOptionsSchema = z.strictObject({
  beta1: numberIn(0, 1, { hiOpen: true }).optional(),
  beta2: numberIn(0, 1, { hiOpen: true }).optional(),
  eps: finiteFrom(0, true).optional(),
  weightDecay: finiteFrom(0).optional(),
});

/**
 * Validates and fills in defaults; `CONFIG_INVALID` names the bad field (`AdamW: beta1 must be a number in [0, 1), got 1.5`).
 *
 * @example
 * resolveAdamWOptions({ weightDecay: 0.1 }); // { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 }
 */
export function resolveAdamWOptions(o: AdamWOptions = {}): Readonly<Required<AdamWOptions>> {
  const v = parseWith(adamwOptionsSchema, o, { code: 'CONFIG_INVALID', where: 'AdamW' });
  return Object.freeze({ beta1: v.beta1 ?? 0.9, beta2: v.beta2 ?? 0.999, eps: v.eps ?? 1e-8, weightDecay: v.weightDecay ?? 0.01 });
}

/**
 * Hand-written AdamW with decoupled weight decay and bias correction, updating tf.Variables in place,
 * exactly as `torch.optim.AdamW` (per parameter, at its own step t):
 *
 *     p ← p·(1 − lr·wd)                       (only if decay)
 *     m ← β1·m + (1 − β1)·g ;  v ← β2·v + (1 − β2)·g²
 *     p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
 *
 * A parameter without a gradient in a step is left alone (no decay, no moment update), as in PyTorch.
 * Moments are created on a parameter's first update; `exportState` / `importState` save and restore them.
 *
 * @example
 * const opt = new AdamW([{ name: 'w', variable: w, decay: true }], { weightDecay: 0.1 });
 * opt.applyGradients(new Map([['w', grad]]), 1e-3);
 */
export class AdamW {
  readonly options: Readonly<Required<AdamWOptions>>;
  private readonly params = new Map<string, AdamWParam>();
  private readonly slots = new Map<string, Slot>();
  private updates = 0;

  constructor(params: readonly AdamWParam[], options: AdamWOptions = {}) {
    this.options = resolveAdamWOptions(options);
    for (const p of params) {
      if (this.params.has(p.name)) throw new LvrError('INVALID_ARGUMENT', `AdamW: duplicate parameter "${p.name}"`);
      this.params.set(p.name, p);
    }
  }

  /** Number of `applyGradients` calls so far (restored by `importState`). */
  get step(): number {
    return this.updates;
  }

  /**
   * One update with learning rate `lr`. `grads` maps parameter names to gradients of the same shape; the
   * caller keeps ownership of them. Unknown names are an error.
   */
  applyGradients(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    if (!(lr >= 0 && Number.isFinite(lr))) throw new LvrError('INVALID_ARGUMENT', `AdamW: learning rate must be finite and ≥ 0, got ${lr}`);
    for (const [name, g] of grads) {
      const p = this.params.get(name);
      if (!p) throw new LvrError('INVALID_ARGUMENT', `AdamW: gradient for unknown parameter "${name}"`);
      if (!tf.util.arraysEqual(g.shape, p.variable.shape)) {
        throw new LvrError('SHAPE_MISMATCH', `AdamW: gradient of "${name}" has shape [${g.shape}], parameter [${p.variable.shape}]`);
      }
    }
    const { beta1, beta2, eps, weightDecay } = this.options;
    for (const [name, g] of grads) {
      const p = this.params.get(name) as AdamWParam;
      let s = this.slots.get(name);
      if (!s) {
        s = { m: ownedVariable(tf.zerosLike(p.variable)), v: ownedVariable(tf.zerosLike(p.variable)), t: 0 };
        this.slots.set(name, s);
      }
      const slot = s;
      slot.t += 1;
      const bc1 = 1 - beta1 ** slot.t;
      const bc2 = 1 - beta2 ** slot.t;
      tf.tidy(() => {
        const m = tf.add(tf.mul(slot.m, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(slot.v, beta2), tf.mul(tf.square(g), 1 - beta2));
        const denom = tf.add(tf.mul(tf.sqrt(v), 1 / Math.sqrt(bc2)), eps);
        const decayed = p.decay && weightDecay > 0 ? tf.mul(p.variable, 1 - lr * weightDecay) : p.variable;
        const next = tf.sub(decayed, tf.mul(tf.div(m, denom), lr / bc1));
        slot.m.assign(m);
        slot.v.assign(v);
        p.variable.assign(next);
      });
    }
    this.updates += 1;
  }

  /** A backend-neutral copy of the moments and per-parameter step counts. */
  async exportState(): Promise<OptimizerState> {
    const slots: OptimizerState['slots'] = {};
    const scalars: OptimizerState['scalars'] = {};
    for (const [name, s] of this.slots) {
      slots[`exp_avg/${name}`] = { shape: [...s.m.shape], data: (await s.m.data()) as Float32Array };
      slots[`exp_avg_sq/${name}`] = { shape: [...s.v.shape], data: (await s.v.data()) as Float32Array };
      scalars[`step/${name}`] = s.t;
    }
    return { name: 'adamw', step: this.updates, slots, scalars };
  }

  /**
   * Replaces the state with `state` (from {@link exportState} or a checkpoint). Unknown parameters, missing
   * moments and shape mismatches are `LvrError('CHECKPOINT')` naming the parameter.
   */
  importState(state: OptimizerState, opts: { file?: string } = {}): void {
    const where = opts.file ?? 'optimizer state';
    const bad = (msg: string, param?: string): never => {
      throw new LvrError('CHECKPOINT', `${where}: ${msg}`, { details: { file: where, ...(param ? { param } : {}) } });
    };
    if (state.name !== 'adamw') bad(`optimizer "${state.name}" is not adamw`);
    const next = new Map<string, { m: Float32Array; v: Float32Array; t: number }>();
    for (const [key, t] of Object.entries(state.scalars)) {
      if (!key.startsWith('step/')) continue;
      const name = key.slice(5);
      const p = this.params.get(name);
      if (!p) bad(`state for unknown parameter "${name}"`, name);
      const m = state.slots[`exp_avg/${name}`];
      const v = state.slots[`exp_avg_sq/${name}`];
      if (!m || !v) bad(`missing exp_avg / exp_avg_sq for "${name}"`, name);
      for (const [label, a] of [['exp_avg', m], ['exp_avg_sq', v]] as const) {
        if (!tf.util.arraysEqual(a?.shape ?? [], (p as AdamWParam).variable.shape) || a?.data.length !== (p as AdamWParam).variable.size) {
          bad(`${label} of "${name}" has shape [${a?.shape}], parameter [${(p as AdamWParam).variable.shape}]`, name);
        }
      }
      if (!Number.isSafeInteger(t) || t < 1) bad(`step of "${name}" must be a positive integer, got ${t}`, name);
      next.set(name, { m: (m as { data: Float32Array }).data, v: (v as { data: Float32Array }).data, t });
    }
    const extra = Object.keys(state.slots).filter((k) => !next.has(k.replace(/^exp_avg(_sq)?\//, '')));
    if (extra.length > 0) bad(`slots without a step count: ${extra.slice(0, 5).join(', ')}`);
    this.disposeSlots();
    for (const [name, s] of next) {
      const shape = (this.params.get(name) as AdamWParam).variable.shape;
      this.slots.set(name, { m: ownedVariable(tf.tensor(s.m, shape, 'float32')), v: ownedVariable(tf.tensor(s.v, shape, 'float32')), t: s.t });
    }
    this.updates = state.step;
  }

  /** Frees the moment tensors. */
  dispose(): void {
    this.disposeSlots();
  }

  private disposeSlots(): void {
    for (const s of this.slots.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.slots.clear();
  }
}

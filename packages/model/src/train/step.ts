import * as tf from '@tensorflow/tfjs';
import { LvrError, type Rng } from '@lvr/core';
import type { ParamEntry } from './param-store.js';

/** Passed to the loss / gradient function with every micro-batch. */
export interface StepContext {
  /** 0-based index of the optimizer step being computed (metrics step − 1). */
  step: number;
  /** Micro-batch within the step, 0 … accumSteps − 1. */
  micro: number;
  /** Schedule stage (0 for single-stage runs); LIVR switches its attention mask on it. */
  stage: number;
  /** Learning rate this step's update will use. */
  lr: number;
  /** Seeded per micro-batch (dropout, sampling); restored exactly on resume. */
  rng: Rng;
}

/** What a loss function returns: the scalar to minimise and optional scalar metrics (`loss/ce`, …). */
export interface LossResult {
  loss: tf.Scalar;
  metrics?: Record<string, tf.Scalar>;
}

/** Builds the loss of one micro-batch; runs under `tf.variableGrads`, so intermediate tensors are freed. */
export type LossFn<B> = (batch: B, ctx: StepContext) => LossResult;

/** What a gradient hook returns; the trainer takes ownership of every tensor in it. */
export interface GradResult {
  loss: tf.Scalar;
  /** Gradients keyed by parameter name (a missing trainable parameter simply gets no update). */
  grads: Record<string, tf.Tensor>;
  metrics?: Record<string, tf.Scalar>;
}

/** Alternative to {@link LossFn} for models with fused hand-written gradients. */
export type GradFn<B> = (batch: B, ctx: StepContext, trainable: readonly [string, ParamEntry][]) => GradResult;

/** One micro-batch's result with everything read back to JS except the gradients. */
export interface MicroResult {
  loss: number;
  metrics: Record<string, number>;
  grads: Map<string, tf.Tensor>;
}

/** Reads loss and metrics with one device read-back, then disposes them. */
function readScalars(loss: tf.Scalar, metrics: Record<string, tf.Scalar>): { loss: number; metrics: Record<string, number> } {
  const names = Object.keys(metrics);
  for (const n of names) {
    const m = metrics[n] as tf.Tensor;
    if (m.size !== 1) throw new LvrError('INVALID_ARGUMENT', `loss function metric "${n}" must be a scalar, got shape [${m.shape}]`);
  }
  const all = tf.tidy(() => tf.concat([loss, ...names.map((n) => metrics[n] as tf.Scalar)].map((t) => tf.reshape(tf.cast(t, 'float32'), [1]))));
  const values = all.dataSync();
  all.dispose();
  const out: Record<string, number> = {};
  names.forEach((n, k) => (out[n] = values[k + 1] as number));
  return { loss: values[0] as number, metrics: out };
}

/**
 * Forward + backward of one micro-batch: `tf.variableGrads` over the trainable variables (or the
 * supplied `gradFn`). Returns the loss and metrics as numbers and the gradients keyed by parameter name;
 * the caller owns the gradients.
 */
export function microStep<B>(
  fn: { lossFn: LossFn<B> } | { gradFn: GradFn<B> },
  batch: B,
  ctx: StepContext,
  trainable: readonly [string, ParamEntry][],
): MicroResult {
  const grads = new Map<string, tf.Tensor>();
  let loss: tf.Scalar | undefined;
  let metrics: Record<string, tf.Scalar> = {};
  try {
    if ('gradFn' in fn) {
      const r = fn.gradFn(batch, ctx, trainable);
      loss = r.loss;
      metrics = r.metrics ?? {};
      const names = new Set(trainable.map(([n]) => n));
      for (const [name, g] of Object.entries(r.grads)) {
        if (!names.has(name)) {
          Object.values(r.grads).forEach((t) => t.dispose());
          throw new LvrError('INVALID_ARGUMENT', `gradFn returned a gradient for "${name}", which is not a trainable parameter`);
        }
        grads.set(name, g);
      }
    } else {
      const byVar = new Map<string, string>(trainable.map(([n, e]) => [e.variable.name, n]));
      const kept: Record<string, tf.Scalar> = {};
      const { value, grads: named } = tf.variableGrads(() => {
        const r = fn.lossFn(batch, ctx);
        for (const [k, m] of Object.entries(r.metrics ?? {})) kept[k] = tf.keep(m);
        return r.loss;
      }, trainable.map(([, e]) => e.variable));
      loss = value;
      metrics = kept;
      for (const [varName, g] of Object.entries(named)) if (g) grads.set(byVar.get(varName) as string, g);
    }
    return { ...readScalars(loss, metrics), grads };
  } catch (e) {
    grads.forEach((g) => g.dispose());
    throw e;
  } finally {
    loss?.dispose();
    Object.values(metrics).forEach((m) => m.dispose());
  }
}

/** Adds `grads` into `acc` (taking ownership of `grads`). */
export function accumulate(acc: Map<string, tf.Tensor>, grads: Map<string, tf.Tensor>): void {
  for (const [name, g] of grads) {
    const prev = acc.get(name);
    if (prev === undefined) {
      acc.set(name, g);
      continue;
    }
    acc.set(name, tf.add(prev, g));
    prev.dispose();
    g.dispose();
  }
}

/** Multiplies every gradient by `factor` in place of the old tensors (a no-op for factor 1). */
export function scaleGrads(grads: Map<string, tf.Tensor>, factor: number): void {
  if (factor === 1) return;
  for (const [name, g] of grads) {
    grads.set(name, tf.mul(g, factor));
    g.dispose();
  }
}

/**
 * Applies each parameter's `gradRowMask` (rows of a 2-D gradient that may change) in place.
 *
 * @example
 * maskGradRows(grads, store); // embedding rows outside the mask get zero gradient
 */
export function maskGradRows(grads: Map<string, tf.Tensor>, store: ReadonlyMap<string, { gradRowMask?: Float32Array | undefined }>): void {
  for (const [name, g] of grads) {
    const mask = store.get(name)?.gradRowMask;
    if (!mask) continue;
    const masked = tf.tidy(() => tf.mul(g, tf.tensor2d(mask, [mask.length, 1])));
    grads.set(name, masked);
    g.dispose();
  }
}

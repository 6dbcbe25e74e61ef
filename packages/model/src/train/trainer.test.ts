import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng, isLvrError, setLogSink, type LogRecord, type ProgressEvent } from '@lvr/core';
import { addParam, disposeParams, freezeModules, initNormal, type ParamStore } from './param-store.js';
import { liveTensors, useWasmBackend } from './test-backend.js';
import { train, type TrainOptions } from './trainer.js';
import type { LossResult, StepContext } from './step.js';
import type { TrainerConfigInput } from './config.js';
import { decodeSafetensors } from '../io/safetensors.js';

/** Tiny linear regression: y = x·w* + b* + noise, D = 4 features, N = 64 samples. */
const D = 4;
const N = 64;
const DATA = (() => {
  const rng = new Rng(7);
  const wTrue = [1.5, -2, 0.5, 3];
  const x = new Float32Array(N * D);
  const y = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    let acc = 0.7;
    for (let j = 0; j < D; j++) {
      const v = rng.normal();
      x[i * D + j] = v;
      acc += v * (wTrue[j] as number);
    }
    y[i] = acc + 0.01 * rng.normal();
  }
  return { x, y };
})();

interface Batch {
  x: Float32Array;
  y: Float32Array;
  numTokens: number;
}

function rows(idx: readonly number[]): Batch {
  const x = new Float32Array(idx.length * D);
  const y = new Float32Array(idx.length);
  idx.forEach((r, k) => {
    x.set(DATA.x.subarray(r * D, r * D + D), k * D);
    y[k] = DATA.y[r] as number;
  });
  return { x, y, numTokens: idx.length };
}

/** Seeded random batches of 8: the data order depends on the trainer Rng. */
const randomBatches = (_i: number, rng: Rng): Batch => rows(Array.from({ length: 8 }, () => rng.int(N)));
/** Deterministic consecutive slices of `b` samples. */
const slices = (b: number) => (i: number): Batch => rows(Array.from({ length: b }, (_, k) => (i * b + k) % N));

function makeStore(seed = 1): ParamStore {
  const store: ParamStore = new Map();
  const rng = new Rng(seed);
  const w = initNormal([D, 1], rng, 0.1);
  addParam(store, 'linear.weight', w, { module: 'linear' });
  w.dispose();
  const b = tf.zeros([1]);
  addParam(store, 'linear.bias', b, { module: 'bias' });
  b.dispose();
  return store;
}

function lossFn(store: ParamStore) {
  return (batch: Batch): LossResult => {
    const w = store.get('linear.weight')?.variable as tf.Variable;
    const b = store.get('linear.bias')?.variable as tf.Variable;
    const x = tf.tensor2d(batch.x, [batch.y.length, D]);
    const err = tf.sub(tf.add(tf.matMul(x, w), b), tf.tensor2d(batch.y, [batch.y.length, 1])); // (B, 1)
    const mse = tf.mean(tf.square(err)) as tf.Scalar;
    return { loss: mse, metrics: { 'loss/ce': mse, 'loss/lvr': tf.mean(tf.abs(err)) as tf.Scalar } };
  };
}

const weights = (store: ParamStore): number[] => [...store.values()].flatMap((e) => Array.from(e.variable.dataSync()));

const base: TrainerConfigInput = { totalSteps: 10, lr: 0.05, warmupSteps: 2, adamw: { weightDecay: 0.01 }, logEvery: 1000 };

async function run(over: Partial<TrainOptions<Batch>> & { store: ParamStore }): Promise<Awaited<ReturnType<typeof train<Batch>>>> {
  const { store, ...rest } = over;
  return train<Batch>({ params: store, lossFn: lossFn(store), data: randomBatches, config: base, ...rest });
}

let root: string;
const logs: LogRecord[] = [];
let prevSink: ReturnType<typeof setLogSink>;
beforeAll(async () => {
  await useWasmBackend();
  root = await mkdtemp(join(tmpdir(), 'lvr-train-'));
  prevSink = setLogSink((r) => logs.push(r));
});
afterAll(async () => {
  setLogSink(prevSink);
  await rm(root, { recursive: true, force: true });
});

describe('train', () => {
  it('fits a linear model and writes metrics, checkpoints and a loss curve', async () => {
    const store = makeStore();
    const outDir = join(root, 'fit');
    const events: ProgressEvent[] = [];
    const res = await run({ store, outDir, config: { ...base, totalSteps: 40, lr: 0.1, checkpointEvery: 10, keepLast: 2 }, onProgress: (e) => events.push(e) });
    const first = res.history[0]?.loss as number;
    const last = res.history[res.history.length - 1]?.loss as number;
    expect(last).toBeLessThan(first * 0.1);
    expect(res.step).toBe(40);
    expect((await readdir(outDir)).sort()).toEqual(['checkpoint-30', 'checkpoint-40', 'loss_curve.png', 'metrics.jsonl']);
    const lines = (await readFile(join(outDir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(40);
    expect(Object.keys(lines[3]).sort()).toEqual(['grad_norm', 'loss', 'loss/ce', 'loss/lvr', 'lr', 'skipped_steps', 'step', 'time_ms', 'tokens_per_s']);
    expect(lines[0].lr).toBe(0); // HF warmup convention: the first update has lr 0
    expect(lines[1].lr).toBeCloseTo(0.05, 12);
    expect(lines[3]['loss/ce']).toBe(lines[3].loss);
    expect(lines[3].tokens_per_s).toBeGreaterThan(0);
    const png = await readFile(join(outDir, 'loss_curve.png'));
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    expect(events[0]).toEqual({ status: 'start', task: 'train', total: 40 });
    expect(events[1]).toMatchObject({ status: 'progress', done: 1, total: 40, info: { lr: 0, loss: first, tokens_per_s: expect.any(Number) } });
    expect(events[events.length - 1]).toMatchObject({ status: 'done', done: 40 });
    disposeParams(store);
  });

  it('resumes exactly: 10 straight steps = 5 steps, checkpoint, restore into fresh params, 5 more', async () => {
    const cfg = { ...base, accumSteps: 2, checkpointEvery: 0, saveFinal: false };
    const a = makeStore();
    const straight = await run({ store: a, config: cfg });

    const outDir = join(root, 'resume');
    const b = makeStore();
    const ctl = new AbortController();
    const first = await run({ store: b, outDir, config: cfg, signal: ctl.signal, onProgress: (e) => e.status === 'progress' && e.done === 5 && ctl.abort() });
    expect(first.stoppedEarly).toBe(true);
    expect(first.checkpoints).toEqual([join(outDir, 'checkpoint-5')]);
    disposeParams(b);

    const c = makeStore(999); // different init: everything must come from the checkpoint
    const second = await run({ store: c, outDir, config: cfg, resumeFrom: outDir });
    expect(second.step).toBe(10);
    expect(second.history.map((r) => r.step)).toEqual([6, 7, 8, 9, 10]);
    expect(weights(c)).toEqual(weights(a)); // bit-for-bit
    const losses = [...first.history, ...second.history].map((r) => r.loss);
    expect(losses).toEqual(straight.history.map((r) => r.loss));
    const lines = (await readFile(join(outDir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).step);
    expect(lines).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // resuming from the checkpoint folder itself, without an outDir, gives the same weights too
    const d = makeStore(5);
    await run({ store: d, config: cfg, resumeFrom: join(outDir, 'checkpoint-5') });
    expect(weights(d)).toEqual(weights(a));
    // a checkpoint past the requested steps is refused, not silently "finished"
    await expect(run({ store: d, config: { ...cfg, totalSteps: 4 }, resumeFrom: join(outDir, 'checkpoint-5') })).rejects.toMatchObject({
      code: 'CHECKPOINT',
      message: expect.stringMatching(/checkpoint-5: trainer_state\.json is at step 5, past the 4 steps requested/),
    });
    disposeParams(a);
    disposeParams(c);
    disposeParams(d);
  });

  it('accumulating 2 micro-batches of B equals one step on a batch of 2B', async () => {
    const cfg = { ...base, totalSteps: 3, warmupSteps: 0, maxGradNorm: null };
    const a = makeStore();
    await run({ store: a, config: { ...cfg, accumSteps: 2 }, data: slices(8) });
    const b = makeStore();
    await run({ store: b, config: { ...cfg, accumSteps: 1 }, data: slices(16) });
    const wa = weights(a);
    const wb = weights(b);
    wa.forEach((v, i) => expect(Math.abs(v - (wb[i] as number))).toBeLessThan(1e-6));
    const fresh = makeStore();
    expect(Math.max(...wa.map((v, i) => Math.abs(v - (weights(fresh)[i] as number))))).toBeGreaterThan(0.01);
    disposeParams(fresh);
    disposeParams(a);
    disposeParams(b);
  });

  it('uses a gradFn hook (hand-written gradients) exactly like autodiff', async () => {
    const a = makeStore();
    await run({ store: a, config: { ...base, totalSteps: 4 } });
    const b = makeStore();
    const w = b.get('linear.weight')?.variable as tf.Variable;
    const bias = b.get('linear.bias')?.variable as tf.Variable;
    const gradFn = (batch: Batch): { loss: tf.Scalar; grads: Record<string, tf.Tensor>; metrics: Record<string, tf.Scalar> } =>
      tf.tidy(() => {
        const B = batch.y.length;
        const x = tf.tensor2d(batch.x, [B, D]);
        const err = tf.sub(tf.add(tf.matMul(x, w), bias), tf.tensor2d(batch.y, [B, 1])); // (B, 1)
        const loss = tf.mean(tf.square(err)) as tf.Scalar;
        const gw = tf.mul(tf.matMul(tf.transpose(x), err), 2 / B); // (D, B)·(B, 1) → (D, 1)
        const gb = tf.reshape(tf.mul(tf.sum(err), 2 / B), [1]);
        return { loss, grads: { 'linear.weight': gw, 'linear.bias': gb }, metrics: { 'loss/ce': loss, 'loss/lvr': tf.mean(tf.abs(err)) as tf.Scalar } };
      });
    const before = liveTensors();
    const res = await train<Batch>({ params: b, gradFn, data: randomBatches, config: { ...base, totalSteps: 4 } });
    expect(liveTensors()).toBe(before);
    expect(res.history[0]?.['loss/lvr']).toBeGreaterThan(0);
    const wa = weights(a);
    weights(b).forEach((v, i) => expect(Math.abs(v - (wa[i] as number))).toBeLessThan(1e-6));
    disposeParams(a);
    disposeParams(b);
  });

  it('leaves frozen modules unchanged', async () => {
    const store = makeStore();
    expect(freezeModules(store, ['bias'])).toBe(1);
    const w0 = Array.from(store.get('linear.weight')?.variable.dataSync() ?? []);
    await run({ store });
    expect(Array.from(store.get('linear.bias')?.variable.dataSync() ?? [])).toEqual([0]);
    expect(Array.from(store.get('linear.weight')?.variable.dataSync() ?? [])).not.toEqual(w0);
    disposeParams(store);
  });

  it('does not leak tensors across steps or after the run', async () => {
    const store = makeStore();
    const before = liveTensors();
    const counts: number[] = [];
    await run({ store, config: { ...base, accumSteps: 2 }, onProgress: (e) => e.status === 'progress' && counts.push(liveTensors()) });
    expect(new Set(counts).size).toBe(1); // moments are created at step 1, then nothing changes
    expect(counts[0]).toBe(before + 4); // exp_avg + exp_avg_sq of 2 params
    expect(liveTensors()).toBe(before);
    disposeParams(store);
  });

  it('stops on a non-finite loss with an error naming the step', async () => {
    const store = makeStore();
    const f = lossFn(store);
    const nanAt = (batch: Batch, ctx: StepContext): ReturnType<typeof f> => {
      const r = f(batch);
      return ctx.step === 3 ? { loss: tf.mul(r.loss, Number.NaN) as tf.Scalar } : r;
    };
    const before = liveTensors();
    try {
      await train<Batch>({ params: store, lossFn: nanAt, data: randomBatches, config: base });
      expect.unreachable();
    } catch (e) {
      expect(isLvrError(e) && e.code).toBe('NUMERIC');
      expect((e as Error).message).toBe('non-finite loss at step 4 (micro-batch 0): NaN');
    }
    expect(liveTensors()).toBe(before);
    disposeParams(store);
  });

  it('stops on non-finite gradients from a gradFn hook', async () => {
    const store = makeStore();
    const gradFn = (): { loss: tf.Scalar; grads: Record<string, tf.Tensor> } => ({
      loss: tf.scalar(1),
      grads: { 'linear.weight': tf.fill([D, 1], Number.POSITIVE_INFINITY), 'linear.bias': tf.zeros([1]) },
    });
    await expect(train<Batch>({ params: store, gradFn, data: randomBatches, config: base })).rejects.toThrow(/^non-finite gradient norm at step 1: Infinity$/);
    disposeParams(store);
  });

  it('skips non-finite steps when configured, keeping the weights of that step', async () => {
    const store = makeStore();
    const f = lossFn(store);
    const nanAt = (batch: Batch, ctx: StepContext): ReturnType<typeof f> => {
      const r = f(batch);
      return ctx.step === 3 ? { loss: tf.add(r.loss, Number.NaN) as tf.Scalar } : r;
    };
    const snaps: number[][] = [];
    logs.length = 0;
    const res = await train<Batch>({
      params: store, lossFn: nanAt, data: randomBatches, config: { ...base, onNonFinite: 'skip' },
      evalHook: { every: 1, fn: () => { snaps.push(weights(store)); return { w0: snaps[snaps.length - 1]?.[0] as number }; } },
    });
    expect(res.skippedSteps).toBe(1);
    expect(res.history[3]).toMatchObject({ step: 4, skipped_steps: 1, nonfinite: 1 });
    expect(res.history[3]?.loss).toBeUndefined();
    expect(res.history[9]).toMatchObject({ skipped_steps: 1, 'eval/w0': snaps[9]?.[0] });
    expect(snaps[3]).toEqual(snaps[2]);
    expect(snaps[4]).not.toEqual(snaps[3]);
    expect(logs.some((l) => l.level === 'warn' && /non-finite loss at step 4/.test(l.message))).toBe(true);
    disposeParams(store);
  });

  it('restarts the schedule per stage and tells the loss function the stage', async () => {
    const store = makeStore();
    const f = lossFn(store);
    const seen: number[] = [];
    const res = await train<Batch>({
      params: store,
      lossFn: (batch, ctx) => (seen.push(ctx.stage), f(batch)),
      data: randomBatches,
      config: { lr: 0.01, stages: [{ steps: 3, warmupSteps: 1 }, { steps: 3, warmupSteps: 2, lr: 0.02 }], logEvery: 1000 },
    });
    expect(seen).toEqual([0, 0, 0, 1, 1, 1]);
    expect(res.history.map((r) => r.stage)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(res.history.map((r) => r.lr)).toEqual([0, 0.01, 0.005, 0, 0.01, 0.02]);
    disposeParams(store);
  });

  it('validates its arguments', async () => {
    const store = makeStore();
    await expect(train<Batch>({ params: store, data: randomBatches, config: base })).rejects.toThrow(/exactly one of lossFn/);
    await expect(run({ store, config: { ...base, warmup_steps: 3 } as TrainerConfigInput })).rejects.toThrow(/warmup_steps is not a known field/);
    freezeModules(store, ['linear', 'bias']);
    await expect(run({ store })).rejects.toThrow(/no trainable parameters/);
    await expect(run({ store, resumeFrom: join(root, 'nothing-here') })).rejects.toThrow(/no trainable/);
    disposeParams(store);
    const s2 = makeStore();
    await expect(run({ store: s2, resumeFrom: join(root, 'nothing-here') })).rejects.toThrow(/nothing-here: no trainer_state\.json and no complete checkpoint/);
    disposeParams(s2);
  });
});

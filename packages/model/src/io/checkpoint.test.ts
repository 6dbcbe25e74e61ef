import * as tf from '@tensorflow/tfjs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { useWasmBackend } from '../train/test-backend.js';
import { assignParams, listCheckpoints, loadCheckpoint, pruneCheckpoints, saveCheckpoint } from './checkpoint.js';
import { decodeSafetensors } from './safetensors.js';
import type { TrainerState } from './trainer-state.js';

let root: string;
beforeAll(async () => {
  await useWasmBackend();
  root = await mkdtemp(join(tmpdir(), 'lvr-ckpt-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function expectCheckpointError(p: Promise<unknown> | (() => unknown), re: RegExp): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(isLvrError(e) && e.code, String(e)).toBe('CHECKPOINT');
    expect((e as Error).message).toMatch(re);
    return;
  }
  expect.unreachable('expected LvrError CHECKPOINT');
}

const state = (): TrainerState => ({
  step: 7,
  dataCursor: 14,
  skippedSteps: 1,
  rng: { trainer: [1, 2, 3, 4294967295] },
  optimizer: {
    name: 'adamw',
    step: 7,
    scalars: { 'step/w': 7 },
    slots: { 'exp_avg/w': { shape: [2, 2], data: new Float32Array([0.1, 0.2, 0.3, 0.4]) }, 'exp_avg_sq/w': { shape: [2, 2], data: new Float32Array(4).fill(0.01) } },
  },
  metricsTail: [{ step: 7, loss: 1.5 }],
  config: { seed: 42 },
});

describe('saveCheckpoint / loadCheckpoint', () => {
  it('writes an HF-style folder and reads everything back', async () => {
    const dir = join(root, 'full');
    const w = tf.variable(tf.tensor2d([[1, 2], [3, 4]]));
    const ids = tf.tensor1d([5, 6, 7], 'int32');
    const store = new Map<string, tf.Tensor | { variable: tf.Variable }>([['w', { variable: w }], ['ids', ids]]);
    await saveCheckpoint(dir, { config: { hidden_size: 2, model_type: 'lvr' }, params: store, tokenizerJson: { model: { vocab: { a: 0 } } }, trainerState: state() });
    expect((await readdir(dir)).sort()).toEqual(['config.json', 'model.safetensors', 'optimizer.safetensors', 'tokenizer.json', 'trainer_state.json']);
    const raw = decodeSafetensors(await readFile(join(dir, 'model.safetensors')));
    expect({ ...raw.metadata }).toEqual({ format: 'pt' });
    expect(JSON.parse(await readFile(join(dir, 'trainer_state.json'), 'utf8')).optimizer).toEqual({ name: 'adamw', step: 7, scalars: { 'step/w': 7 }, file: 'optimizer.safetensors' });

    const ck = await loadCheckpoint(dir);
    expect(ck.config).toEqual({ hidden_size: 2, model_type: 'lvr' });
    expect(ck.tokenizerJson).toEqual({ model: { vocab: { a: 0 } } });
    expect(Array.from(ck.params.w?.data ?? [])).toEqual([1, 2, 3, 4]);
    expect(ck.params.ids?.data).toBeInstanceOf(Int32Array);
    const st = ck.trainerState as TrainerState;
    const want = state();
    expect({ ...st, optimizer: undefined }).toEqual({ ...want, optimizer: undefined });
    expect(st.optimizer?.scalars).toEqual(want.optimizer?.scalars);
    expect(Array.from(st.optimizer?.slots['exp_avg/w']?.data ?? [])).toEqual(Array.from(want.optimizer?.slots['exp_avg/w']?.data ?? []));
    w.dispose();
    ids.dispose();
  });

  it('writes a weights-only folder from a plain record', async () => {
    const dir = join(root, 'weights-only');
    const b = tf.tensor1d([0.5]);
    await saveCheckpoint(dir, { config: {}, params: { b } });
    expect((await readdir(dir)).sort()).toEqual(['config.json', 'model.safetensors']);
    const ck = await loadCheckpoint(dir);
    expect(ck.trainerState).toBeUndefined();
    expect(ck.tokenizerJson).toBeUndefined();
    b.dispose();
  });

  it('rejects missing and corrupted files, naming the file and field', async () => {
    const dir = join(root, 'broken');
    const b = tf.tensor1d([0.5]);
    await saveCheckpoint(dir, { config: { a: 1 }, params: { b }, trainerState: state() });
    b.dispose();
    const model = join(dir, 'model.safetensors');
    const good = await readFile(model);
    await writeFile(model, good.subarray(0, good.length - 2));
    await expectCheckpointError(loadCheckpoint(dir), /broken\/model\.safetensors.*2 trailing|broken\/model\.safetensors.*exceed/);
    await writeFile(model, good);

    const st = join(dir, 'trainer_state.json');
    const json = JSON.parse(await readFile(st, 'utf8'));
    await writeFile(st, JSON.stringify({ ...json, rng: { trainer: [1, 2, 3] } }));
    await expectCheckpointError(loadCheckpoint(dir), /trainer_state\.json: rng\.trainer must be four uint32 values, got an array of length 3/);
    await writeFile(st, JSON.stringify({ ...json, step: -1 }));
    await expectCheckpointError(loadCheckpoint(dir), /trainer_state\.json: step must be an integer ≥ 0, got -1/);
    await writeFile(st, '{"version": 1,');
    await expectCheckpointError(loadCheckpoint(dir), /trainer_state\.json: not valid JSON/);
    await writeFile(st, JSON.stringify(json));
    await rm(join(dir, 'optimizer.safetensors'));
    await expectCheckpointError(loadCheckpoint(dir), /optimizer\.safetensors: missing \(referenced by .*trainer_state\.json\)/);
    await rm(join(dir, 'config.json'));
    await expectCheckpointError(loadCheckpoint(dir), /config\.json: missing/);
    await expectCheckpointError(loadCheckpoint(join(root, 'nowhere')), /nowhere\/model\.safetensors: missing/);
  });
});

describe('assignParams', () => {
  it('assigns all tensors after validating the whole set', () => {
    const a = tf.variable(tf.zeros([2, 2]));
    const b = tf.variable(tf.zeros([3]));
    const target = new Map<string, tf.Variable | { variable: tf.Variable }>([['a', a], ['b', { variable: b }]]);
    assignParams(target, { a: { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }, b: { shape: [3], data: new Float32Array([5, 6, 7]) } });
    expect(Array.from(a.dataSync())).toEqual([1, 2, 3, 4]);
    expect(Array.from(b.dataSync())).toEqual([5, 6, 7]);
    a.dispose();
    b.dispose();
  });

  it('names missing, extra and mis-shaped tensors together and assigns nothing', async () => {
    const a = tf.variable(tf.zeros([2, 2]));
    const b = tf.variable(tf.zeros([3]));
    const c = tf.variable(tf.zeros([1]));
    const target = new Map([['a', a], ['b', b], ['c', c]]);
    const params = { a: { shape: [4], data: new Float32Array([1, 2, 3, 4]) }, b: { shape: [3], data: new Float32Array([5, 6, 7]) }, zz: { shape: [1], data: new Float32Array(1) } };
    await expectCheckpointError(() => assignParams(target, params, { file: 'ck/' }), /^ck\/: missing 1 tensor\(s\): c; 1 unexpected tensor\(s\): zz; "a" has shape \[4\], expected \[2, 2\]$/);
    expect(Array.from(b.dataSync())).toEqual([0, 0, 0]);
    assignParams(new Map([['b', b]]), params, { allowExtra: true });
    expect(Array.from(b.dataSync())).toEqual([5, 6, 7]);
    assignParams(new Map([['b', b], ['c', c]]), { b: params.b }, { allowMissing: true });
    for (const v of [a, b, c]) v.dispose();
  });
});

describe('listCheckpoints / pruneCheckpoints', () => {
  it('lists complete checkpoints by step and keeps the newest k', async () => {
    const out = join(root, 'run');
    const p = tf.tensor1d([1]);
    for (const step of [5, 10, 100]) await saveCheckpoint(join(out, `checkpoint-${step}`), { config: {}, params: { p }, trainerState: { ...state(), step } });
    await mkdir(join(out, 'checkpoint-200')); // incomplete: no trainer_state.json
    await mkdir(join(out, 'other'));
    expect((await listCheckpoints(out)).map((c) => c.step)).toEqual([5, 10, 100]);
    expect(await pruneCheckpoints(out, 2)).toEqual([join(out, 'checkpoint-5')]);
    expect((await readdir(out)).sort()).toEqual(['checkpoint-10', 'checkpoint-100', 'checkpoint-200', 'other']);
    expect(await pruneCheckpoints(out, 0)).toEqual([]);
    expect(await listCheckpoints(join(root, 'missing'))).toEqual([]);
    p.dispose();
  });
});

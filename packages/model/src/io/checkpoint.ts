import * as tf from '@tensorflow/tfjs';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LvrError, writeFileAtomic, writeJsonAtomic } from '@lvr/core';
import { decodeSafetensors, encodeSafetensors, type SafetensorsInput, type SafetensorsTensor } from './safetensors.js';
import { parseTrainerStateJson, trainerStateToJson, type OptimizerState, type TrainerState } from './trainer-state.js';

/**
 * HF-style checkpoint folders:
 *
 *     config.json            model config (caller's object, written as is)
 *     model.safetensors      weights, metadata {"format": "pt"} as transformers expects
 *     tokenizer.json         optional
 *     optimizer.safetensors  optimizer slots (AdamW exp_avg/<p>, exp_avg_sq/<p>), only with a trainer state
 *     trainer_state.json     step, data cursor, Rng states, optimizer scalars, metrics tail — written last,
 *                            so a folder without it is an incomplete (or weights-only) checkpoint
 *
 * Every file is written atomically (temp file in the same folder + rename).
 */
export const CHECKPOINT_FILES = {
  config: 'config.json',
  model: 'model.safetensors',
  tokenizer: 'tokenizer.json',
  optimizer: 'optimizer.safetensors',
  trainerState: 'trainer_state.json',
} as const;

/** Plain (already exported, backend-neutral) tensor data. */
export interface PlainTensor {
  shape: readonly number[];
  data: Float32Array | Int32Array;
}

/**
 * Something holding named tensors: a ParamStore-like map (`{ variable }` values), a Map or record of tensors,
 * or a record of plain arrays (e.g. weights already converted to an on-disk layout).
 */
export type ParamSource =
  | ReadonlyMap<string, tf.Tensor | { variable: tf.Variable }>
  | Readonly<Record<string, tf.Tensor | PlainTensor>>;

/** What {@link saveCheckpoint} writes. */
export interface CheckpointContents {
  config: object;
  params: ParamSource;
  /** Object (serialised with 2-space indent) or raw JSON text. */
  tokenizerJson?: object | string;
  trainerState?: TrainerState;
}

/** A checkpoint read back with backend-neutral arrays. */
export interface LoadedCheckpoint {
  dir: string;
  config: Record<string, unknown>;
  params: Record<string, SafetensorsTensor>;
  /** `__metadata__` of model.safetensors. */
  metadata: Record<string, string>;
  tokenizerJson?: unknown;
  trainerState?: TrainerState;
}

function entries(params: ParamSource): [string, tf.Tensor | PlainTensor][] {
  const list: [string, tf.Tensor | PlainTensor | { variable: tf.Variable }][] = params instanceof Map ? [...params] : Object.entries(params);
  return list.map(([name, v]) => [name, v instanceof tf.Tensor || !('variable' in v) ? v : v.variable]);
}

async function toInput(name: string, t: tf.Tensor | PlainTensor): Promise<SafetensorsInput> {
  if (!(t instanceof tf.Tensor)) return { shape: [...t.shape], data: t.data };
  if (t.dtype === 'float32') return { shape: [...t.shape], data: (await t.data()) as Float32Array };
  if (t.dtype === 'int32') return { shape: [...t.shape], data: (await t.data()) as Int32Array };
  throw new LvrError('UNSUPPORTED', `saveCheckpoint: tensor "${name}" has dtype ${t.dtype}; only float32 and int32 are saved`, { details: { tensor: name } });
}

/**
 * Writes a checkpoint folder (see {@link CHECKPOINT_FILES}), creating `dir` if needed.
 *
 * @example
 * await saveCheckpoint('runs/a/checkpoint-500', { config: modelConfig, params: store, tokenizerJson, trainerState });
 */
export async function saveCheckpoint(dir: string, contents: CheckpointContents): Promise<void> {
  const weights: Record<string, SafetensorsInput> = {};
  for (const [name, t] of entries(contents.params)) weights[name] = await toInput(name, t);
  await writeFileAtomic(join(dir, CHECKPOINT_FILES.model), encodeSafetensors(weights, { format: 'pt' }));
  const state = contents.trainerState;
  if (state?.optimizer) {
    const o = state.optimizer;
    await writeFileAtomic(join(dir, CHECKPOINT_FILES.optimizer), encodeSafetensors(o.slots, { optimizer: o.name, step: String(o.step) }));
  }
  await writeJsonAtomic(join(dir, CHECKPOINT_FILES.config), contents.config);
  if (contents.tokenizerJson !== undefined) {
    const tok = contents.tokenizerJson;
    await writeFileAtomic(join(dir, CHECKPOINT_FILES.tokenizer), typeof tok === 'string' ? tok : `${JSON.stringify(tok, null, 2)}\n`);
  }
  if (state) await writeJsonAtomic(join(dir, CHECKPOINT_FILES.trainerState), trainerStateToJson(state, CHECKPOINT_FILES.optimizer));
}

async function readOptional(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LvrError('IO_ERROR', `could not read ${path}`, { cause, details: { file: path } });
  }
}

async function readJson(path: string, required: boolean): Promise<unknown> {
  const bytes = await readOptional(path);
  if (bytes === undefined) {
    if (required) throw new LvrError('CHECKPOINT', `${path}: missing`, { details: { file: path } });
    return undefined;
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new LvrError('CHECKPOINT', `${path}: not valid JSON (${(cause as Error).message})`, { cause, details: { file: path } });
  }
}

/**
 * Reads a checkpoint folder written by {@link saveCheckpoint} (or any HF folder with `config.json` and a
 * single `model.safetensors`). Weights come back as plain arrays; use {@link assignParams} to load them
 * into variables.
 *
 * @example
 * const ckpt = await loadCheckpoint('runs/a/checkpoint-500');
 * assignParams(store, ckpt.params, { file: ckpt.dir });
 */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const modelPath = join(dir, CHECKPOINT_FILES.model);
  const modelBytes = await readOptional(modelPath);
  if (modelBytes === undefined) throw new LvrError('CHECKPOINT', `${modelPath}: missing`, { details: { file: modelPath } });
  const { tensors, metadata } = decodeSafetensors(modelBytes, { file: modelPath });
  const configPath = join(dir, CHECKPOINT_FILES.config);
  const config = await readJson(configPath, true);
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new LvrError('CHECKPOINT', `${configPath}: must be a JSON object`, { details: { file: configPath } });
  }
  const out: LoadedCheckpoint = { dir, config: config as Record<string, unknown>, params: tensors, metadata };
  const tok = await readJson(join(dir, CHECKPOINT_FILES.tokenizer), false);
  if (tok !== undefined) out.tokenizerJson = tok;
  const statePath = join(dir, CHECKPOINT_FILES.trainerState);
  const rawState = await readJson(statePath, false);
  if (rawState === undefined) return out;
  const json = parseTrainerStateJson(rawState, statePath);
  const { version: _version, optimizer: optJson, ...rest } = json;
  const state: TrainerState = rest;
  if (optJson) {
    const optPath = join(dir, optJson.file);
    const bytes = await readOptional(optPath);
    if (bytes === undefined) throw new LvrError('CHECKPOINT', `${optPath}: missing (referenced by ${statePath})`, { details: { file: optPath } });
    const slots: OptimizerState['slots'] = {};
    for (const [name, t] of Object.entries(decodeSafetensors(bytes, { file: optPath }).tensors)) {
      if (!(t.data instanceof Float32Array)) throw new LvrError('CHECKPOINT', `${optPath}, tensor "${name}": optimizer slots must be float`, { details: { file: optPath, tensor: name } });
      slots[name] = { shape: t.shape, data: t.data };
    }
    state.optimizer = { name: optJson.name, step: optJson.step, scalars: optJson.scalars, slots };
  }
  out.trainerState = state;
  return out;
}

/** Options of {@link assignParams} and {@link checkTensorSet}. */
export interface AssignOptions {
  /** Named in error messages (checkpoint folder or file). */
  file?: string;
  /** Accept target variables absent from the checkpoint (left unchanged). Default false. */
  allowMissing?: boolean;
  /** Accept checkpoint tensors without a target (ignored). Default false. */
  allowExtra?: boolean;
  /** Where the expected shapes come from, in messages (`has shape [2, 3], {expectedFrom} [3, 3]`). Default `expected`. */
  expectedFrom?: string;
}

/** The shape and dtype a checkpoint tensor must have. */
export interface ExpectedTensor {
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
}

/**
 * Checks checkpoint tensors against the expected names, shapes and dtypes without creating any tensor: missing,
 * extra, mis-shaped and wrongly typed tensors are reported together in one `LvrError('CHECKPOINT')` naming them.
 * `loadModel` runs it on the safetensors header against the shapes config.json implies, before allocating.
 *
 * @example
 * checkTensorSet(new Map([['w', { shape: [2, 3], dtype: 'float32' }]]), ckpt.params, { file: 'model.safetensors' });
 */
export function checkTensorSet(
  expected: ReadonlyMap<string, ExpectedTensor>,
  params: Readonly<Record<string, { shape: readonly number[]; data: Float32Array | Int32Array }>>,
  opts: AssignOptions = {},
): void {
  const problems: string[] = [];
  const missing = [...expected.keys()].filter((n) => !Object.hasOwn(params, n));
  const extra = Object.keys(params).filter((n) => !expected.has(n));
  if (missing.length > 0 && !opts.allowMissing) problems.push(`missing ${missing.length} tensor(s): ${missing.slice(0, 10).join(', ')}`);
  if (extra.length > 0 && !opts.allowExtra) problems.push(`${extra.length} unexpected tensor(s): ${extra.slice(0, 10).join(', ')}`);
  const mismatched: string[] = [];
  for (const [name, e] of expected) {
    const p = params[name];
    if (!p) continue;
    if (!tf.util.arraysEqual([...p.shape], [...e.shape])) {
      mismatched.push(name);
      problems.push(`"${name}" has shape [${p.shape.join(', ')}], ${opts.expectedFrom ?? 'expected'} [${e.shape.join(', ')}]`);
    } else if ((p.data instanceof Int32Array) !== (e.dtype === 'int32')) problems.push(`"${name}" has the wrong dtype for a ${e.dtype} variable`);
  }
  if (problems.length > 0) {
    const where = opts.file ?? 'checkpoint';
    throw new LvrError('CHECKPOINT', `${where}: ${problems.join('; ')}`, { details: { file: where, missing, extra, mismatched } });
  }
}

/**
 * Copies checkpoint arrays into variables after checking the whole set first ({@link checkTensorSet}): nothing
 * is assigned unless everything matches.
 *
 * @example
 * assignParams(store, (await loadCheckpoint(dir)).params, { file: dir });
 */
export function assignParams(
  target: ReadonlyMap<string, tf.Variable | { variable: tf.Variable }>,
  params: Readonly<Record<string, { shape: readonly number[]; data: Float32Array | Int32Array }>>,
  opts: AssignOptions = {},
): void {
  const vars = new Map<string, tf.Variable>();
  for (const [name, v] of target) vars.set(name, v instanceof tf.Variable ? v : v.variable);
  const expected = new Map<string, ExpectedTensor>();
  for (const [name, v] of vars) expected.set(name, { shape: v.shape, dtype: v.dtype === 'int32' ? 'int32' : 'float32' });
  checkTensorSet(expected, params, opts);
  for (const [name, v] of vars) {
    const p = params[name];
    if (!p) continue;
    const t = tf.tensor(p.data, [...p.shape], v.dtype === 'int32' ? 'int32' : 'float32');
    v.assign(t);
    t.dispose();
  }
}

const CKPT_DIR = /^checkpoint-(\d+)$/;

/** Complete checkpoints (`checkpoint-<step>` with a trainer_state.json) in `outDir`, oldest first. */
export async function listCheckpoints(outDir: string): Promise<{ step: number; dir: string }[]> {
  let names: string[];
  try {
    names = await readdir(outDir);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new LvrError('IO_ERROR', `could not list ${outDir}`, { cause, details: { file: outDir } });
  }
  const found: { step: number; dir: string }[] = [];
  for (const name of names) {
    const m = CKPT_DIR.exec(name);
    if (!m) continue;
    const dir = join(outDir, name);
    const ok = await stat(join(dir, CHECKPOINT_FILES.trainerState)).then(() => true, () => false);
    if (ok) found.push({ step: Number(m[1]), dir });
  }
  return found.sort((a, b) => a.step - b.step);
}

/** Deletes all but the newest `keepLast` checkpoints (0 keeps all); returns the removed folders. */
export async function pruneCheckpoints(outDir: string, keepLast: number): Promise<string[]> {
  if (keepLast <= 0) return [];
  const all = await listCheckpoints(outDir);
  const doomed = all.slice(0, Math.max(0, all.length - keepLast)).map((c) => c.dir);
  for (const dir of doomed) await rm(dir, { recursive: true, force: true });
  return doomed;
}

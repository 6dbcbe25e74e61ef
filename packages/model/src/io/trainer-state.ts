import { LvrError } from '@lvr/core';

/** A float32 array with its shape (backend-neutral tensor data). */
export interface ArrayTensor {
  shape: number[];
  data: Float32Array;
}

/**
 * An optimizer's resumable state. `slots` hold per-parameter tensors (AdamW: `exp_avg/<param>`,
 * `exp_avg_sq/<param>`) and go to `optimizer.safetensors`; `scalars` (per-parameter step counts, …) go to
 * `trainer_state.json`.
 */
export interface OptimizerState {
  name: string;
  /** Optimizer updates applied so far. */
  step: number;
  slots: Record<string, ArrayTensor>;
  scalars: Record<string, number>;
}

/** One line of `metrics.jsonl` (see `train/metrics.ts` for the names). */
export type MetricRecord = Record<string, number>;

/**
 * Everything beyond the weights needed to continue a run exactly. Written as `trainer_state.json`
 * (+ `optimizer.safetensors`).
 */
export interface TrainerState {
  /** Optimizer steps completed; the next step has 0-based index `step`. */
  step: number;
  /** Micro-batches consumed from the data function so far. */
  dataCursor: number;
  /** Steps skipped because of a non-finite loss / gradient (`onNonFinite: 'skip'`). */
  skippedSteps: number;
  /** Named `Rng.getState()` snapshots (the trainer uses `trainer`). */
  rng: Record<string, number[]>;
  optimizer?: OptimizerState;
  /** The last few metric records, for a quick look without reading metrics.jsonl. */
  metricsTail?: MetricRecord[];
  /** The resolved trainer config of the run that wrote the checkpoint. */
  config?: Record<string, unknown>;
  /** Free-form, JSON-serialisable caller data. */
  extra?: Record<string, unknown>;
}

/** The JSON form of a {@link TrainerState} (optimizer slots live in `optimizer.safetensors`). */
export type TrainerStateJson = Omit<TrainerState, 'optimizer'> & {
  version: 1;
  optimizer?: { name: string; step: number; scalars: Record<string, number>; file: string };
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Serialises the JSON part of a state (the caller writes `state.optimizer.slots` separately). */
export function trainerStateToJson(state: TrainerState, optimizerFile = 'optimizer.safetensors'): TrainerStateJson {
  const { optimizer, ...rest } = state;
  const json: TrainerStateJson = { version: 1, ...rest };
  if (optimizer) json.optimizer = { name: optimizer.name, step: optimizer.step, scalars: { ...optimizer.scalars }, file: optimizerFile };
  return json;
}

/**
 * Validates parsed `trainer_state.json` content; every problem is an `LvrError('CHECKPOINT')` naming the
 * file and the field. Returns the state without optimizer slots (filled in by the loader).
 */
export function parseTrainerStateJson(value: unknown, file: string): TrainerStateJson {
  const bad = (field: string, msg: string): never => {
    throw new LvrError('CHECKPOINT', `${file}: field "${field}" ${msg}`, { details: { file, field } });
  };
  if (!isObj(value)) bad('(root)', 'must be a JSON object');
  const v = value as Record<string, unknown>;
  if (v.version !== 1) bad('version', `must be 1, got ${JSON.stringify(v.version)}`);
  for (const f of ['step', 'dataCursor', 'skippedSteps'] as const) if (!isCount(v[f])) bad(f, `must be a non-negative integer, got ${JSON.stringify(v[f])}`);
  if (!isObj(v.rng)) bad('rng', 'must be an object of Rng states');
  for (const [k, s] of Object.entries(v.rng as object)) {
    if (!Array.isArray(s) || s.length !== 4 || !s.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff)) bad(`rng.${k}`, 'must be four uint32 values');
  }
  if (v.optimizer !== undefined) {
    if (!isObj(v.optimizer)) bad('optimizer', 'must be an object');
    const o = v.optimizer as Record<string, unknown>;
    if (typeof o.name !== 'string' || o.name === '') bad('optimizer.name', 'must be a non-empty string');
    if (!isCount(o.step)) bad('optimizer.step', 'must be a non-negative integer');
    if (typeof o.file !== 'string' || o.file === '' || /[\\/]/.test(o.file)) bad('optimizer.file', 'must be a plain file name');
    if (!isObj(o.scalars) || !Object.values(o.scalars).every((x) => typeof x === 'number' && Number.isFinite(x))) {
      bad('optimizer.scalars', 'must be an object of finite numbers');
    }
  }
  if (v.metricsTail !== undefined && (!Array.isArray(v.metricsTail) || !v.metricsTail.every(isObj))) bad('metricsTail', 'must be an array of objects');
  for (const f of ['config', 'extra'] as const) if (v[f] !== undefined && !isObj(v[f])) bad(f, 'must be an object');
  return v as unknown as TrainerStateJson;
}

import * as z from 'zod';
import { intAtLeast, intIn, nonEmptyString, parseWith } from '@lvr/data';

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

/** Serialises the JSON part of a state (the caller writes `state.optimizer.slots` separately). */
export function trainerStateToJson(state: TrainerState, optimizerFile = 'optimizer.safetensors'): TrainerStateJson {
  const { optimizer, ...rest } = state;
  const json: TrainerStateJson = { version: 1, ...rest };
  if (optimizer) json.optimizer = { name: optimizer.name, step: optimizer.step, scalars: { ...optimizer.scalars }, file: optimizerFile };
  return json;
}

const count = intAtLeast(0);
const jsonObject = z.record(z.string(), z.unknown());

/** `trainer_state.json` (version 1); unknown keys are kept. */
export const trainerStateJsonSchema = z.looseObject({
  version: z.literal(1),
  step: count,
  dataCursor: count,
  skippedSteps: count,
  rng: z.record(z.string(), z.array(intIn(0, 0xffffffff)).length(4, { error: 'must be four uint32 values' })),
  optimizer: z.looseObject({
    name: nonEmptyString(),
    step: count,
    file: nonEmptyString().regex(/^[^\\/]+$/, { error: 'must be a plain file name' }),
    scalars: z.record(z.string(), z.number({ error: 'must be a finite number' })),
  }).optional(),
  metricsTail: z.array(jsonObject).optional(), // NaN metrics are written as null
  config: jsonObject.optional(),
  extra: jsonObject.optional(),
});

/**
 * Validates parsed `trainer_state.json` content ({@link trainerStateJsonSchema}); every problem is an
 * `LvrError('CHECKPOINT')` naming the file and the field path (`trainer_state.json: rng.trainer must be four uint32
 * values, got an array of length 3`). Returns the state without optimizer slots (filled in by the loader).
 *
 * @example
 * const json = parseTrainerStateJson(JSON.parse(text), 'runs/a/checkpoint-10/trainer_state.json');
 */
export function parseTrainerStateJson(value: unknown, file: string): TrainerStateJson {
  return parseWith(trainerStateJsonSchema, value, { code: 'CHECKPOINT', where: file, details: { file } }) as TrainerStateJson;
}

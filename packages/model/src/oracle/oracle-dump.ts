import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { LvrError, Rng, writeFileAtomic, writeJsonAtomic } from '@lvr/core';
import { initBackend, type InitBackendOptions } from '../backend.js';
import { configToJson } from '../config.js';
import { encodeSafetensors, type SafetensorsInput } from '../io/safetensors.js';
import { MiniQwenVL } from '../models/vlm.js';
import { gatherRows } from '../ops/gather-rows.js';
import { ceTargets, computeLoss } from '../training/objectives.js';
import { oracleCase, type OracleCase, type OracleVariant } from './oracle-case.js';

/** File names written by {@link writeOracleDump} (read by `tools/torch-reference/check.py`). */
export const ORACLE_FILES = {
  config: 'config.json',
  weights: 'model.safetensors',
  batch: 'batch.json',
  expected: 'expected.safetensors',
} as const;

/** What {@link writeOracleDump} computed, for logging. */
export interface OracleDumpSummary {
  outDir: string;
  variant: OracleVariant;
  backend: string;
  loss: { ce: number; lvr: number; total: number };
  /** Number of parameters (each has a `grad/<name>` tensor in expected.safetensors). */
  numParams: number;
}

function f32(t: tf.Tensor): SafetensorsInput {
  return { shape: [...t.shape], data: Float32Array.from(t.dataSync() as Float32Array) };
}

/**
 * The tfjs side of the oracle: runs `computeLoss` under `tf.variableGrads` and the forward pass, and returns
 * every compared quantity as safetensors inputs — `hidden` (B·L, D), `visual` (Nv, D), `logits` (M, V) of
 * the CE rows (row-major over batch and position), scalars `loss/ce`, `loss/lvr`, `loss/total`, and
 * `grad/<name>` for every parameter in on-disk (PyTorch) layout.
 */
export function computeOracleTensors(model: MiniQwenVL, c: OracleCase): { tensors: Record<string, SafetensorsInput>; loss: OracleDumpSummary['loss'] } {
  const b = c.batch;
  const lvr = b.lvr;
  if (!lvr) throw new LvrError('INVALID_ARGUMENT', 'oracle case: the batch has no LVR span');
  const names = [...model.params.keys()];
  const vars = names.map((n) => model.params.get(n)!.variable);
  const tensors: Record<string, SafetensorsInput> = {};
  let ce = Number.NaN, lvrLoss = Number.NaN;
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const out = computeLoss(model, b, c.objective);
      ce = out.metrics['loss/ce']!.dataSync()[0]!;
      lvrLoss = out.metrics['loss/lvr']!.dataSync()[0]!;
      return out.loss;
    }, vars);
    tensors['loss/total'] = f32(value);
    tensors['loss/ce'] = { shape: [], data: Float32Array.of(ce) };
    tensors['loss/lvr'] = { shape: [], data: Float32Array.of(lvrLoss) };
    names.forEach((name, i) => {
      const v = vars[i]!;
      const g = grads[v.name];
      const data = g ? Float32Array.from(g.dataSync() as Float32Array) : new Float32Array(v.size); // no path → zero
      tensors[`grad/${name}`] = { shape: [...v.shape], data }; // (out, in) as on disk
    });
    const { hidden, visual } = model.forward({
      batch: b.batch, length: b.length, inputIds: b.inputIds, positionIds: b.positionIds, attentionMask: b.attentionMask,
      images: b.images, allowed: b.allowed, overrides: [{ kind: 'visual', positions: lvr.positions, visualRows: lvr.visualRows }],
    });
    const rows = ceTargets(b, [model.config.tokens.lvrId]).rows;
    tensors.hidden = f32(hidden);
    tensors.visual = f32(visual);
    tensors.logits = f32(model.logits(gatherRows(hidden, rows)));
  });
  return { tensors, loss: { ce, lvr: lvrLoss, total: tensors['loss/total']!.data[0]! } };
}

/**
 * Moves every parameter off its init by N(0, 0.1²) noise (seeded): biases start at zero and norm weights at one,
 * which would hide a missing bias or a misapplied norm weight from the forward pass.
 */
export function jitterParams(model: MiniQwenVL, rng: Rng): void {
  for (const { variable } of model.params.values()) {
    const data = Float32Array.from(variable.dataSync() as Float32Array, (x) => x + 0.1 * rng.normal());
    tf.tidy(() => variable.assign(tf.tensor(data, variable.shape)));
  }
}

/** The batch as JSON (flat arrays as in `TrainBatch`, plus the objective) for the Python side. */
function batchJson(c: OracleCase): Record<string, unknown> {
  const b = c.batch;
  return {
    batch: b.batch,
    length: b.length,
    inputIds: Array.from(b.inputIds),
    attentionMask: Array.from(b.attentionMask),
    positionIds: Array.from(b.positionIds),
    labels: Array.from(b.labels),
    images: (b.images ?? []).map((img) => ({ gridThw: img.gridThw, pixelValues: Array.from(img.pixelValues) })),
    lvr: { positions: Array.from(b.lvr!.positions), visualRows: Array.from(b.lvr!.visualRows) },
    ...(b.allowed ? { allowed: Array.from(b.allowed) } : {}),
    objective: c.objective,
    seed: c.seed,
    variant: c.variant,
  };
}

/** Options of {@link writeOracleDump}. */
export interface OracleDumpOptions extends InitBackendOptions {
  /** Model variant (default `base`). */
  variant?: OracleVariant;
}

/**
 * Builds the oracle case, creates the model with its fixed seed (then {@link jitterParams}) and writes `config.json`, `model.safetensors`,
 * `batch.json` and `expected.safetensors` (the tfjs results) to `outDir`.
 *
 * @example
 * const summary = await writeOracleDump('/tmp/oracle');
 * // then: /usr/bin/python3 tools/torch-reference/check.py /tmp/oracle
 */
export async function writeOracleDump(outDir: string, opts: OracleDumpOptions = {}): Promise<OracleDumpSummary> {
  const c = oracleCase(opts.variant ?? 'base');
  const backend = await initBackend(opts.prefer === undefined ? {} : { prefer: opts.prefer });
  const model = MiniQwenVL.create(c.config, { seed: c.seed });
  try {
    jitterParams(model, new Rng(c.seed + 1));
    const { tensors, loss } = computeOracleTensors(model, c);
    const weights = Object.fromEntries([...model.params].map(([n, e]) => [n, { shape: [...e.variable.shape], data: Float32Array.from(e.variable.dataSync() as Float32Array) }]));
    await writeJsonAtomic(join(outDir, ORACLE_FILES.config), configToJson(c.config));
    await writeFileAtomic(join(outDir, ORACLE_FILES.weights), encodeSafetensors(weights, { format: 'pt' }));
    await writeFileAtomic(join(outDir, ORACLE_FILES.batch), `${JSON.stringify(batchJson(c))}\n`); // compact: ~3k pixel values
    await writeFileAtomic(join(outDir, ORACLE_FILES.expected), encodeSafetensors(tensors, { backend, tfjs: tf.version.tfjs, variant: c.variant }));
    return { outDir, variant: c.variant, backend, loss, numParams: model.params.size };
  } finally {
    model.dispose();
  }
}

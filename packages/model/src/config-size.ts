import { LvrError } from '@lvr/core';
import type { ModelConfig } from './config.js';

/**
 * Default cap on a model's parameter count: 2^28 ≈ 268 M parameters, 1 GiB of float32 weights (AdamW triples
 * that while training). The miniature presets have 0.1–0.6 M. A config above the cap is rejected before any
 * weight is allocated; raise it with the `maxParameters` option of `resolveModelConfig` / `configFromJson` /
 * `loadModel`, or the `LVR_MAX_PARAMETERS` environment variable.
 */
export const DEFAULT_MAX_PARAMETERS = 2 ** 28;

/** The highest cap `maxParameters` accepts: no single tensor may outgrow a typed array (2^32 elements). */
export const MAX_PARAMETERS_LIMIT = 2 ** 32;

/** The environment variable that overrides {@link DEFAULT_MAX_PARAMETERS} when no option is given. */
export const MAX_PARAMETERS_ENV = 'LVR_MAX_PARAMETERS';

/**
 * The parameter cap in force: `option`, else `LVR_MAX_PARAMETERS`, else {@link DEFAULT_MAX_PARAMETERS}.
 * Either must be an integer in 1..2^32 (`CONFIG_INVALID`).
 *
 * @example
 * resolveMaxParameters(undefined); // 268435456 unless LVR_MAX_PARAMETERS is set
 */
export function resolveMaxParameters(option: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_PARAMETERS_ENV];
  const [value, source] = option !== undefined ? [option, 'maxParameters'] : raw !== undefined && raw !== '' ? [Number(raw), MAX_PARAMETERS_ENV] : [DEFAULT_MAX_PARAMETERS, ''];
  if (!Number.isInteger(value) || value < 1 || value > MAX_PARAMETERS_LIMIT) {
    throw new LvrError('CONFIG_INVALID', `${source} must be an integer in 1..${MAX_PARAMETERS_LIMIT}, got ${source === MAX_PARAMETERS_ENV ? JSON.stringify(raw) : String(value)}`, {
      details: { field: source },
    });
  }
  return value;
}

/**
 * The number of parameters `initParams` creates for `c`, in closed form (so an oversized config is caught
 * without building its parameter list; a test keeps it equal to `parameterSpecs`).
 *
 * @example
 * parameterCount(config); // ≈ 3e5 for MODEL_SIZES.demo
 */
export function parameterCount(c: Readonly<ModelConfig>): number {
  const v = c.vision;
  const dv = v.hiddenSize;
  const patchRow = v.inChannels * v.temporalPatchSize * v.patchSize * v.patchSize;
  const merged = dv * v.spatialMergeSize * v.spatialMergeSize;
  const d = c.hiddenSize;
  const inter = c.intermediateSize;
  const vision = dv * patchRow + v.depth * (4 * dv * dv + 6 * dv + 3 * v.intermediateSize * dv);
  const merger = dv + merged * merged + merged + d * merged + d;
  const layer = 4 * d * d + 2 * d + (c.attentionBias ? 3 * d : 0) + 3 * inter * d;
  const lm = c.vocabSize * d + c.numLayers * layer + d;
  const head = c.lvr.head === 'simple' ? 2 * d * d + 4 * d : c.lvr.head === 'glu' ? 3 * inter * d + 2 * inter + d : 0;
  const extras = (c.lvr.latentEndEmbedding ? d : 0) + c.lvr.pauseTokens * d;
  const lora = c.lora ? c.numLayers * c.lora.targets.length * 2 * c.lora.r * d : 0;
  return vision + merger + lm + head + extras + lora;
}

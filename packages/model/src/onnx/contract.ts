import { LvrError } from '@lvr/core';
import { headDim, type ModelConfig } from '../config.js';

/**
 * The ONNX model-folder contract (docs/onnx.md). It mirrors the transformers.js / onnx-community layout of
 * Qwen2-VL plus `last_hidden_state`, which LVR feeds back:
 *
 *     config.json  tokenizer.json  tokenizer_config.json  preprocessor_config.json  [lvr_training.json]  [lvr_extras.safetensors]
 *     onnx/embed_tokens.onnx  onnx/vision_encoder.onnx  onnx/decoder_model_merged.onnx  [onnx/lvr_head.onnx]
 */
export const ONNX_FILES = {
  config: 'config.json',
  tokenizer: 'tokenizer.json',
  preprocessor: 'preprocessor_config.json',
  /** The chat template (`chat_template`, Jinja) and tokenizer settings, as Hugging Face / transformers.js read them. */
  tokenizerConfig: 'tokenizer_config.json',
  /** Copied from the checkpoint when present: how the model was trained (prompting mode, LIVR latent count). */
  training: 'lvr_training.json',
  /** Only when the model has a learned `<|lvr_latent_end|>` embedding (tensor `lvr_latent_end_emb`). */
  extras: 'lvr_extras.safetensors',
  /** Only when the model has pause embeddings (`config.lvr_pause_tokens` > 0; tensor `lvr_pause_emb`, P × D). */
  pause: 'pause_embeddings.safetensors',
  embed: 'onnx/embed_tokens.onnx',
  vision: 'onnx/vision_encoder.onnx',
  decoder: 'onnx/decoder_model_merged.onnx',
  /** Only when `config.lvr_head ≠ none`. */
  lvrHead: 'onnx/lvr_head.onnx',
} as const;

/** The sessions of a model folder. */
export type OnnxSessionKind = 'embed' | 'vision' | 'decoder' | 'lvrHead';

/** Element types the contract uses (ORT `Tensor.Type` names). */
export type ContractDType = 'float32' | 'int64';

/** One required input or output: name (or accepted alternatives), dtype, rank and the fixed dims we know. */
export interface IoSpec {
  /** Accepted names; the first is the canonical one. */
  readonly names: readonly string[];
  readonly type: ContractDType;
  /** Expected dims: numbers must match when the session declares a number there; null = any (symbolic). */
  readonly dims: readonly (number | null)[];
}

/** The inputs and outputs a session must have. */
export interface SessionSpec {
  readonly inputs: readonly IoSpec[];
  readonly outputs: readonly IoSpec[];
}

const spec = (names: string | readonly string[], type: ContractDType, dims: readonly (number | null)[]): IoSpec =>
  ({ names: typeof names === 'string' ? [names] : names, type, dims });

/**
 * The I/O spec of each session for a config (names follow transformers.js; the vision grid input may be named
 * `grid_thw` (Qwen2-VL) or `image_grid_thw` (Qwen2.5-VL)).
 *
 * @example
 * contractFor(config).decoder.outputs.map((o) => o.names[0]); // ['logits', 'last_hidden_state', 'present.0.key', …]
 */
export function contractFor(c: ModelConfig): Readonly<Record<OnnxSessionKind, SessionSpec>> {
  const H = c.hiddenSize;
  const kv = [null, c.numHeads, null, headDim(c)];
  const past: IoSpec[] = [];
  const present: IoSpec[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    for (const k of ['key', 'value']) {
      past.push(spec(`past_key_values.${l}.${k}`, 'float32', kv));
      present.push(spec(`present.${l}.${k}`, 'float32', kv));
    }
  }
  const row = c.vision.inChannels * c.vision.temporalPatchSize * c.vision.patchSize * c.vision.patchSize;
  return {
    embed: { inputs: [spec('input_ids', 'int64', [null, null])], outputs: [spec('inputs_embeds', 'float32', [null, null, H])] },
    vision: {
      inputs: [spec('pixel_values', 'float32', [null, row]), spec(['grid_thw', 'image_grid_thw'], 'int64', [null, 3])],
      outputs: [spec('image_features', 'float32', [null, H])],
    },
    decoder: {
      inputs: [
        spec('inputs_embeds', 'float32', [null, null, H]), spec('attention_mask', 'int64', [null, null]),
        spec('position_ids', 'int64', [3, null, null]), ...past,
      ],
      outputs: [spec('logits', 'float32', [null, null, c.vocabSize]), spec('last_hidden_state', 'float32', [null, null, H]), ...present],
    },
    lvrHead: { inputs: [spec('hidden_states', 'float32', [null, H])], outputs: [spec('latent', 'float32', [null, H])] },
  };
}

/** What a session exposes about its I/O (a subset of ORT's `InferenceSession`, so tests can pass plain objects). */
export interface SessionIo {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly SessionValueMetadata[] | undefined;
  readonly outputMetadata?: readonly SessionValueMetadata[] | undefined;
}

/** ORT 1.30's value metadata (`isTensor`, `type`, `shape` with symbolic dims as strings). */
export interface SessionValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  readonly shape?: readonly (number | string)[];
}

/** The names a validated session uses (the accepted alternative found for each spec, in spec order). */
export interface ResolvedSessionIo {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

function checkSide(side: 'input' | 'output', specs: readonly IoSpec[], names: readonly string[], meta: readonly SessionValueMetadata[] | undefined, problems: string[]): string[] {
  const found: string[] = [];
  for (const s of specs) {
    const name = s.names.find((n) => names.includes(n));
    if (name === undefined) {
      problems.push(`missing ${side} "${s.names.join('" or "')}" (${s.type}, rank ${s.dims.length})`);
      continue;
    }
    found.push(name);
    const m = meta?.find((x) => x.name === name);
    if (!m) continue; // no metadata: names only
    if (!m.isTensor) { problems.push(`${side} "${name}" is not a tensor`); continue; }
    if (m.type !== undefined && m.type !== s.type) problems.push(`${side} "${name}" has dtype ${m.type}, expected ${s.type}`);
    const shape = m.shape ?? [];
    if (shape.length > 0 && shape.length !== s.dims.length) {
      problems.push(`${side} "${name}" has rank ${shape.length} [${shape.join(', ')}], expected rank ${s.dims.length}`);
      continue;
    }
    shape.forEach((d, i) => {
      const want = s.dims[i];
      if (typeof d === 'number' && d >= 0 && want !== null && want !== undefined && d !== want) {
        problems.push(`${side} "${name}" has dim ${i} = ${d}, expected ${want}`);
      }
    });
  }
  return found;
}

/**
 * Checks a session's input/output names, dtypes, ranks and known dims against the contract (metadata when the
 * session has it, else names only). Inputs the contract does not know are errors too (we could not feed them).
 *
 * @throws LvrError `CHECKPOINT` listing every problem, naming the file.
 * @example
 * const io = validateSessionIo(session, contractFor(config).decoder, 'model/onnx/decoder_model_merged.onnx');
 */
export function validateSessionIo(session: SessionIo, s: SessionSpec, file: string): ResolvedSessionIo {
  const problems: string[] = [];
  const inputs = checkSide('input', s.inputs, session.inputNames, session.inputMetadata, problems);
  const outputs = checkSide('output', s.outputs, session.outputNames, session.outputMetadata, problems);
  const known = new Set(s.inputs.flatMap((x) => x.names));
  const extra = session.inputNames.filter((n) => !known.has(n));
  if (extra.length > 0) problems.push(`unsupported extra input(s) ${extra.map((n) => `"${n}"`).join(', ')} (the ORT backend cannot feed them)`);
  if (problems.length > 0) {
    throw new LvrError('CHECKPOINT', `${file}: the ONNX session does not match the model-folder contract (docs/onnx.md): ${problems.join('; ')}`, {
      details: { file, problems },
    });
  }
  return { inputs, outputs };
}

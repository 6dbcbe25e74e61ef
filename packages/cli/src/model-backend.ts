import { LvrError } from '@lvr/core';
import type { LvrTokenizer, PreprocessOptions } from '@lvr/data';
import type { LatentFeedbackConfig, StepModel } from '@lvr/decoding';
import type { TrainingInfo } from '@lvr/model';
import { UsageError } from './args.js';

/** A model opened for inference on one backend, with what prompting it needs. */
export interface OpenedModel {
  stepModel: StepModel;
  tokenizer: LvrTokenizer;
  preprocess: PreprocessOptions;
  training: TrainingInfo | undefined;
  /**
   * What the model's latent steps feed back (pass it as `GenerateOptions.feedback` / `EvalModel.feedback`): the
   * folder's lvr_training.json `"latent_feedback"` (absent = `hidden`), with the pause table for `pause`.
   */
  feedback: LatentFeedbackConfig;
  /** Which runtime produced the numbers (`tfjs-wasm`, `onnxruntime-node`). */
  backend: string;
  dispose(): Promise<void>;
}

export const BACKENDS = ['tfjs', 'onnx'] as const;

/**
 * Opens a model folder: `tfjs` reads `model.safetensors` (HF-style folder from `lvr train`), `onnx` reads the
 * `onnx/` graphs written by `lvr export onnx` (ONNX Runtime, CPU). Both read the latent feedback the model was
 * trained with (`lvr_training.json` `"latent_feedback"`; `pause` reads `lvr_pause_emb` from model.safetensors, or
 * pause_embeddings.safetensors in an ONNX folder).
 */
export async function openModel(dir: string, backend: string): Promise<OpenedModel> {
  if (backend === 'tfjs') {
    // Imported here, not at the top: tfjs loads only when a command opens a model (`lvr --help` stays fast).
    const { TfjsStepModel, initBackend, loadModel, modelLatentFeedback, preprocessFor } = await import('@lvr/model');
    await initBackend(); // before any tensor exists, so the weights live on the chosen backend
    const loaded = await loadModel(dir);
    let feedback: LatentFeedbackConfig;
    try {
      feedback = modelLatentFeedback(loaded.model, loaded.latentFeedback, dir);
    } catch (e) {
      loaded.model.dispose();
      throw e;
    }
    const sm = new TfjsStepModel(loaded.model);
    return {
      stepModel: sm, tokenizer: loaded.tokenizer, preprocess: preprocessFor(loaded.model.config), training: loaded.training, feedback,
      backend: sm.backend, dispose: async () => loaded.model.dispose(),
    };
  }
  if (backend === 'onnx') {
    let onnx: typeof import('@lvr/model/onnx');
    try {
      onnx = await import('@lvr/model/onnx');
    } catch (cause) {
      throw new LvrError('BACKEND_UNAVAILABLE', 'the ONNX Runtime backend needs onnxruntime-node (install it next to @lvr/model)', { cause });
    }
    const assets = await onnx.readOnnxFolder(dir);
    const sm = await onnx.OrtStepModel.create(dir);
    return {
      stepModel: sm, tokenizer: assets.tokenizer, preprocess: assets.preprocess, training: assets.training, feedback: assets.latentFeedback,
      backend: sm.backend, dispose: () => sm.dispose(),
    };
  }
  throw new UsageError(`--backend must be ${BACKENDS.join(' or ')}, got ${backend}`);
}

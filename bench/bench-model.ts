/**
 * The benchmark model folder: a randomly initialised demo-size model saved as `lvr train` / `saveModel` would
 * (config.json + model.safetensors + tokenizer.json), plus its ONNX export next to it. Created once and reused
 * while its config still matches; both the tfjs/ORT benchmarks and the PyTorch scripts load these files.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathExists, LvrError } from '@lvr/core';
import { LvrTokenizer, SYSTEM_MESSAGE, addLivrLatentTokens, createWordLevelTokenizerJson, suiteWords } from '@lvr/data';
import { MODEL_SIZES, MiniQwenVL, configToJson, modelConfigFor, saveModel, type ModelConfig } from '@lvr/model';
import { exportOnnx } from '@lvr/model/onnx';

/** Where the benchmark model lives. */
export interface BenchModelPaths {
  /** Model folder (config.json, model.safetensors, tokenizer.json). */
  readonly modelDir: string;
  /** ONNX model folder exported from it. */
  readonly onnxDir: string;
  /** True when both folders were already there and reused. */
  readonly reused: boolean;
}

/** The demo-size config with the recipes' tokenizer (suite words, LIVR latents), as `pretrainBase` builds it. */
export function benchTokenizerAndConfig(): { tokenizerJson: Record<string, unknown>; config: Readonly<ModelConfig> } {
  const base = createWordLevelTokenizerJson({ words: suiteWords(4, [SYSTEM_MESSAGE]), extraSpecialTokens: ['<answer>', '</answer>'] });
  const tokenizerJson = addLivrLatentTokens(base, 16);
  return { tokenizerJson, config: modelConfigFor(MODEL_SIZES.demo, LvrTokenizer.fromJson(tokenizerJson)) };
}


/**
 * Creates (or reuses) `<root>/model` and `<root>/onnx`. A folder is reused only when its config.json equals the
 * current demo config and the ONNX decoder graph exists; otherwise both are rewritten.
 *
 * @example
 * const { modelDir, onnxDir } = await ensureBenchModel('/tmp/lvr-bench');
 */
export async function ensureBenchModel(root: string, seed = 0): Promise<BenchModelPaths> {
  const modelDir = join(root, 'model');
  const onnxDir = join(root, 'onnx');
  const { tokenizerJson, config } = benchTokenizerAndConfig();
  const want = JSON.stringify(configToJson(config));
  try {
    const have = JSON.stringify(JSON.parse(await readFile(join(modelDir, 'config.json'), 'utf8')));
    if (have === want && (await pathExists(join(modelDir, 'model.safetensors'))) && (await pathExists(join(onnxDir, 'onnx', 'decoder_model_merged.onnx')))) {
      return { modelDir, onnxDir, reused: true };
    }
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw new LvrError('IO_ERROR', `${modelDir}/config.json: unreadable`, { cause });
  }
  const model = MiniQwenVL.create(config, { seed });
  try {
    await saveModel(modelDir, model, tokenizerJson);
  } finally {
    model.dispose();
  }
  await exportOnnx(modelDir, onnxDir);
  return { modelDir, onnxDir, reused: false };
}

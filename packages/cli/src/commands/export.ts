import { LvrError } from '@lvr/core';
import { UsageError, pathOption, type ParsedValues } from '../args.js';
import type { Command, CommandContext } from './command.js';
import { displayPath } from './synth.js';

/**
 * `lvr export onnx --model DIR --out DIR`: writes the transformers.js-style ONNX folder (embed_tokens,
 * vision_encoder, decoder_model_merged with `last_hidden_state`, config, tokenizer, preprocessor config).
 *
 * @example
 * // lvr export onnx --model runs/demo/lvr --out runs/demo/lvr-onnx
 */
export const exportCommand: Command = {
  name: 'export',
  summary: 'export a trained model to ONNX (transformers.js layout + last_hidden_state)',
  help: [
    'Usage: lvr export onnx --model DIR --out DIR [--json]',
    '',
    'Writes config.json, tokenizer.json, preprocessor_config.json, lvr_training.json and onnx/{embed_tokens,',
    'vision_encoder,decoder_model_merged}.onnx (plus lvr_head.onnx / lvr_extras.safetensors when the model has them).',
    'Run it with `lvr infer --backend onnx --model OUT …` or `lvr eval --backend onnx`.',
  ].join('\n'),
  positionals: true,
  options: {
    model: { type: 'string', valueName: 'DIR', description: 'trained model folder' },
    out: { type: 'string', short: 'o', valueName: 'DIR', description: 'output folder' },
  },
  async run(values: ParsedValues, ctx: CommandContext): Promise<number> {
    const format = (values._ as string[] | undefined)?.[0];
    if (format !== 'onnx') throw new UsageError('the only export format is onnx: lvr export onnx --model DIR --out DIR');
    const model = pathOption(values, 'model', ctx.io.cwd);
    const out = pathOption(values, 'out', ctx.io.cwd);
    if (!model || !out) throw new UsageError('--model DIR and --out DIR are required');
    let onnx: typeof import('@lvr/model/onnx');
    try {
      onnx = await import('@lvr/model/onnx');
    } catch (cause) {
      throw new LvrError('BACKEND_UNAVAILABLE', 'ONNX export needs onnx-buf (a dependency of @lvr/model)', { cause });
    }
    const { initBackend } = await import('@lvr/model');
    await initBackend();
    const res = await onnx.exportOnnx(model, out, { onProgress: ctx.onProgress });
    if (ctx.json) ctx.io.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
    else ctx.io.stdout.write(`exported ${displayPath(ctx.io, model)} → ${displayPath(ctx.io, out)} (ONNX, opset ${onnx.ONNX_OPSET})\n`);
    return 0;
  },
};

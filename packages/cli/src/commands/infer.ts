import { buildPromptIds, loadAndPreprocessImage } from '@lvr/data';
import { generate, parseSamplerSpec, parseStrategySpec, type GenerateResult } from '@lvr/decoding';
import { openModel } from '../model-backend.js';
import { UsageError, intOption, pathOption, specOption, type ParsedValues } from '../args.js';
import type { Command, CommandContext } from './command.js';

/** The answer word of a generation: the text inside `<answer> … </answer>`, else the text without special tokens. */
export function answerOf(text: string): string {
  const m = /<answer>\s*([^<]*?)\s*<\/answer>/.exec(text) ?? /<answer>\s*(\S+)/.exec(text);
  return (m?.[1] ?? text).trim();
}

/** The machine-readable trace `--json` prints. */
export function traceSummary(r: GenerateResult): Record<string, unknown> {
  return {
    promptLength: r.promptLength,
    outputIds: r.outputIds,
    finishReason: r.finishReason,
    latentPositions: r.inputs.flatMap((k, j) => (k === 'latent' ? [r.promptLength + j] : [])),
    spans: r.latentSpans.map((s) => ({
      start: r.promptLength + s.start, steps: s.steps, stopReason: s.stopReason, forcedEnd: s.forcedEnd, ...(s.pointer ? { pointer: s.pointer } : {}),
    })),
  };
}

/**
 * `lvr infer --model DIR --image PATH --question TEXT [--strategy SPEC] [--json]`: one question, answered with the
 * model's own latent loop; `--json` adds the trace (latent positions, steps per span, stop reasons).
 *
 * @example
 * // lvr infer --model runs/demo/lvr --image cat.png --question "what colour is the small circle ?" --strategy fixed:8
 */
export const inferCommand: Command = {
  name: 'infer',
  summary: 'answer one question about an image (latent decoding, trace with --json)',
  help: [
    'Usage: lvr infer --model DIR --image PATH --question TEXT [--strategy SPEC] [--sampler SPEC] [--max-new-tokens N] [--backend tfjs|onnx] [--json]',
    '',
    'Strategies: fixed:N[:force-end] | latent-end:TAU:M | mode-switch:M | converge:COS:M | end-prob:P:M (and any registered one).',
    'The prompt is built the way the model was trained (lvr_training.json: LIVR models get their latent tokens).',
  ].join('\n'),
  options: {
    model: { type: 'string', valueName: 'DIR', description: 'model folder (config.json, model.safetensors, tokenizer.json)' },
    image: { type: 'string', valueName: 'PATH', description: 'image file' },
    question: { type: 'string', valueName: 'TEXT', description: 'the question' },
    strategy: { type: 'string', valueName: 'SPEC', description: 'stop strategy (default fixed:8)' },
    sampler: { type: 'string', valueName: 'SPEC', description: 'greedy (default) or sample:t=0.9,k=50,p=1' },
    'max-new-tokens': { type: 'string', valueName: 'N', description: 'generated positions incl. latent steps (default 64)' },
    backend: { type: 'string', valueName: 'NAME', description: 'tfjs (default) or onnx' },
    seed: { type: 'string', valueName: 'N', description: 'sampling seed (default 0)' },
  },
  async run(values: ParsedValues, ctx: CommandContext): Promise<number> {
    const dir = pathOption(values, 'model', ctx.io.cwd);
    const image = pathOption(values, 'image', ctx.io.cwd);
    const question = values.question;
    if (!dir) throw new UsageError('--model DIR is required');
    if (!image) throw new UsageError('--image PATH is required');
    if (typeof question !== 'string' || question.trim() === '') throw new UsageError('--question TEXT is required');
    const strategy = specOption(values, 'strategy', 'fixed:8', parseStrategySpec);
    const sampler = specOption(values, 'sampler', 'greedy', parseSamplerSpec);
    const opened = await openModel(dir, typeof values.backend === 'string' ? values.backend : 'tfjs');
    const { stepModel, dispose } = opened;
    try {
      const mode = opened.training?.mode ?? 'lvr';
      const img = await loadAndPreprocessImage(image, opened.preprocess);
      const numLatents = mode === 'livr' ? (opened.training?.numLatents ?? 16) : 0;
      const tok = opened.tokenizer;
      const inputIds = buildPromptIds({ tokenizer: tok, question: `<image>\n${question}`, imageTokenCounts: [img.numTokens], numLatents });
      const [res] = await generate(stepModel, [{ prompt: { inputIds, images: [{ pixelValues: img.pixelValues, gridThw: img.gridThw }] } }], {
        strategy, sampler, maxNewTokens: intOption(values, 'max-new-tokens', 1, 100_000) ?? 64, seed: intOption(values, 'seed', 0, 0xffffffff) ?? 0,
        livr: mode === 'livr' ? true : undefined,
        feedback: opened.feedback,
        suppressIds: Array.from({ length: Math.max(0, stepModel.vocabSize - tok.vocabSize) }, (_, i) => tok.vocabSize + i),
      });
      const text = tok.decode(res!.outputIds);
      const answer = answerOf(text);
      if (ctx.json) ctx.io.stdout.write(`${JSON.stringify({ answer, text, mode, backend: stepModel.backend, strategy, feedback: opened.feedback.kind, trace: traceSummary(res!) }, null, 2)}\n`);
      else {
        ctx.io.stdout.write(`${answer}\n`);
        const spans = res!.latentSpans.map((s) => `${s.steps} latent steps (${s.stopReason})`).join(', ');
        ctx.io.stderr.write(`  ${mode} model on ${stepModel.backend}; ${spans || 'no latent span'}; output: ${text}\n`);
      }
      return 0;
    } finally {
      await dispose();
    }
  },
};

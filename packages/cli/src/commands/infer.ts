import {
  DEFAULT_STOP_STRATEGY_SPEC, generate, parseSamplerSpec, parseStrategySpec, traceSegments, vocabPaddingIds, type GenerateResult,
} from '@lvr/decoding';
import { UsageError, intOption, pathOption, specOption, type ParsedValues } from '../args.js';
import { openModel } from '../model-backend.js';
import { REQUIRE_OPTION, loadRequiredModules } from '../require-modules.js';
import type { Command, CommandContext } from './command.js';

/** The answer word of a generation: the text inside `<answer> … </answer>`, else the text without special tokens. */
export function answerOf(text: string): string {
  const m = /<answer>\s*([^<]*?)\s*<\/answer>/.exec(text) ?? /<answer>\s*(\S+)/.exec(text);
  return (m?.[1] ?? text).trim();
}

/**
 * The text of a generation as a reader should see it: the fed tokens decoded, and each latent span as its number
 * of steps — the tokens sampled at latent positions were never fed, so they are not shown.
 *
 * @example
 * traceText(trace, tokenizer); // '<|lvr_start|>[8 latent steps]<|lvr_end|>\n<answer> red </answer><|im_end|>'
 */
export function traceText(r: GenerateResult, tokenizer: { decode(ids: readonly number[]): string }): string {
  return traceSegments(r)
    .map((s) => (s.kind === 'tokens' ? tokenizer.decode(s.ids) : `[${s.steps} latent step${s.steps === 1 ? '' : 's'}]`))
    .join('');
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
    'Usage: lvr infer --model DIR --image PATH --question TEXT [--strategy SPEC] [--require FILE…] [--sampler SPEC]',
    '                 [--max-new-tokens N] [--backend tfjs|onnx] [--json]',
    '',
    'Strategies: fixed:N[:force-end] | latent-end:TAU:M | mode-switch:M | converge:COS:M | end-prob:P:M | exit-prob:P:M,',
    `or one that a --require module registers. Default ${DEFAULT_STOP_STRATEGY_SPEC} (8 latent steps, then <|lvr_end|>), as in lvr eval.`,
    'The prompt is built the way the model was trained (lvr_training.json: LIVR models get their latent tokens).',
    "The output's text shows each latent span as [N latent steps]: the tokens sampled at latent positions were never fed.",
  ].join('\n'),
  options: {
    model: { type: 'string', valueName: 'DIR', description: 'model folder (config.json, model.safetensors, tokenizer.json)' },
    image: { type: 'string', valueName: 'PATH', description: 'image file' },
    question: { type: 'string', valueName: 'TEXT', description: 'the question' },
    strategy: { type: 'string', valueName: 'SPEC', description: `stop strategy (default ${DEFAULT_STOP_STRATEGY_SPEC})` },
    require: REQUIRE_OPTION,
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
    await loadRequiredModules(values, ctx.io.cwd);
    const strategy = specOption(values, 'strategy', DEFAULT_STOP_STRATEGY_SPEC, parseStrategySpec);
    const sampler = specOption(values, 'sampler', 'greedy', parseSamplerSpec);
    const maxNewTokens = intOption(values, 'max-new-tokens', 1, 100_000) ?? 64;
    const seed = intOption(values, 'seed', 0, 0xffffffff) ?? 0;
    const { buildPromptIds, loadAndPreprocessImage } = await import('@lvr/data');
    const opened = await openModel(dir, typeof values.backend === 'string' ? values.backend : 'tfjs');
    const { stepModel, dispose } = opened;
    try {
      const mode = opened.training?.mode ?? 'lvr';
      const img = await loadAndPreprocessImage(image, opened.preprocess);
      const numLatents = mode === 'livr' ? (opened.training?.numLatents ?? 16) : 0;
      const tok = opened.tokenizer;
      const inputIds = buildPromptIds({ tokenizer: tok, question: `<image>\n${question}`, imageTokenCounts: [img.numTokens], numLatents });
      const [res] = await generate(stepModel, [{ prompt: { inputIds, images: [{ pixelValues: img.pixelValues, gridThw: img.gridThw }] } }], {
        strategy, sampler, maxNewTokens, seed,
        livr: mode === 'livr' ? true : undefined,
        feedback: opened.feedback,
        suppressIds: vocabPaddingIds(stepModel.vocabSize, tok.vocabSize),
      });
      const text = traceText(res!, tok);
      const answer = answerOf(text);
      if (ctx.json) {
        const out = { answer, text, mode, backend: stepModel.backend, strategy, feedback: opened.feedback.kind, trace: traceSummary(res!) };
        ctx.io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } else {
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

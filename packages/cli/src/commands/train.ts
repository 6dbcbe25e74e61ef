import type { LatentFeedbackKind, RecipeResult } from '@lvr/model';
import { UsageError, intOption, numberOption, pathOption, type ParsedValues } from '../args.js';
import type { Command, CommandContext } from './command.js';
import { displayPath } from './synth.js';

/** `lvr train` checkpoints this often unless told otherwise, so a killed run can `--resume` (the library default is 0). */
export const DEFAULT_CHECKPOINT_EVERY = 50;

const MODES = ['base', 'sft', 'lvr', 'livr'] as const;
type Mode = (typeof MODES)[number];

function mode(values: ParsedValues): Mode {
  const m = values.mode;
  if (typeof m !== 'string' || !(MODES as readonly string[]).includes(m)) throw new UsageError(`--mode must be one of ${MODES.join(' | ')}`);
  return m as Mode;
}

/**
 * `lvr train --mode base|sft|lvr|livr`: pre-trains the miniature base on fresh caption scenes, or fine-tunes a
 * base on a data set in the LVR SFT format (same records for every mode, so the comparison is data-matched).
 *
 * @example
 * // lvr train --mode base --data runs/suite --out runs/base --steps 600
 * // lvr train --mode lvr --base runs/base --data runs/suite --out runs/lvr --steps 600 --lambda 0.1
 */
export const trainCommand: Command = {
  name: 'train',
  summary: 'pre-train the miniature base (--mode base) or fine-tune it with SFT, LVR or LIVR',
  help: [
    'Usage: lvr train --mode base --data SUITE_DIR --out DIR [--steps N] [--batch N] [--lr X] [--size demo|tiny|base|full]',
    '       [--grid-prob P] [--mark-prob P] [--checkpoint-every N]',
    '       lvr train --mode sft|lvr|livr --base BASE_DIR --data DATA --out DIR [--steps N] [--batch N] [--lr X]',
    '       lvr train --mode lvr … [--feedback hidden|pointer-argmax|pointer-mix|pause] [--hop-lambda X] [--hop-ramp A,B] [--pause-tokens N]',
    '',
    'base: caption pre-training of the whole VLM on fresh synthetic scenes (DATA supplies tokenizer.json).',
    'sft | lvr | livr: fine-tune the LLM of BASE_DIR (vision tower and merger frozen) on DATA (a folder',
    'with meta.json in the LVR SFT meta format, or the meta file). LVR: CE + λ·MSE on the ROI tokens',
    '(--lambda, --lvr-loss mse|mae|cosine, --latents N for a fixed span length). LIVR: K latents (--latents),',
    'stage 1 with the bottleneck mask for --stage1 of the steps, then stage 2 (schedule restarts).',
    'DIR receives config.json, model.safetensors, tokenizer.json, metrics.jsonl, loss_curve.png and',
    `checkpoint-<step>/ folders (every ${DEFAULT_CHECKPOINT_EVERY} steps unless --checkpoint-every N; 0 = only at the end; the last 2 kept).`,
    'A killed run resumes exactly where its newest checkpoint left off: lvr train … --resume DIR (the same DIR, or a checkpoint folder).',
  ].join('\n'),
  options: {
    mode: { type: 'string', valueName: 'MODE', description: 'base | sft | lvr | livr' },
    data: { type: 'string', valueName: 'DIR', description: 'synthetic suite / LVR SFT data (meta.json)' },
    base: { type: 'string', valueName: 'DIR', description: 'base model folder (sft, lvr, livr)' },
    out: { type: 'string', short: 'o', valueName: 'DIR', description: 'run folder' },
    steps: { type: 'string', valueName: 'N', description: 'optimizer steps (default 600)' },
    batch: { type: 'string', valueName: 'N', description: 'batch size (default 32)' },
    lr: { type: 'string', valueName: 'X', description: 'peak learning rate (default 2e-3 base, 1e-3 fine-tuning)' },
    seed: { type: 'string', valueName: 'N', description: 'seed of init and data order (default 0)' },
    size: { type: 'string', valueName: 'NAME', description: 'model size for --mode base: tiny | demo | base | full (default demo)' },
    'grid-prob': { type: 'string', valueName: 'P', description: 'base: share of grid scenes (16 objects, one marked) (default 0.5 with --size base, else 0)' },
    'mark-prob': { type: 'string', valueName: 'P', description: 'base: chance a free scene has a marked object (default 0.5 with --size base, else 0)' },
    'checkpoint-every': { type: 'string', valueName: 'N', description: `save checkpoint-<step>/ every N steps (default ${DEFAULT_CHECKPOINT_EVERY}; 0 = only at the end)` },
    lambda: { type: 'string', valueName: 'X', description: 'LVR loss weight λ (default 0.1, the reference)' },
    'lvr-loss': { type: 'string', valueName: 'KIND', description: 'LVR loss: mse | mae | cosine (default mse)' },
    latents: { type: 'string', valueName: 'N', description: 'LVR: fixed latent count per span; LIVR: K (default 16)' },
    stage1: { type: 'string', valueName: 'X', description: 'LIVR: fraction of steps with the bottleneck mask (default 0.4)' },
    feedback: { type: 'string', valueName: 'KIND', description: 'LVR: latent feedback hidden | pointer-argmax | pointer-mix | pause (default hidden, the reference)' },
    'hop-lambda': { type: 'string', valueName: 'X', description: 'LVR: weight of the per-latent pointer CE (default 1 with the pointer feedbacks)' },
    'hop-ramp': { type: 'string', valueName: 'A,B', description: 'LVR: hop-loss curriculum: off before fraction A of training, linear to its weight at B (e.g. 0.3,0.5)' },
    'pause-tokens': { type: 'string', valueName: 'N', description: 'LVR --feedback pause: learned pause vectors P (default 1, or the base\'s)' },
    lora: { type: 'string', valueName: 'R:ALPHA', description: 'LIVR: train only the latent rows + LoRA adapters (e.g. 8:16)' },
    resume: { type: 'string', valueName: 'DIR', description: 'resume from a checkpoint or run folder' },
  },
  async run(values: ParsedValues, ctx: CommandContext): Promise<number> {
    const m = mode(values);
    const out = pathOption(values, 'out', ctx.io.cwd);
    const data = pathOption(values, 'data', ctx.io.cwd);
    if (!out) throw new UsageError('--out DIR is required');
    if (!data) throw new UsageError('--data DIR is required');
    const steps = intOption(values, 'steps', 1, 10_000_000);
    const batchSize = intOption(values, 'batch', 1, 4096);
    const lr = numberOption(values, 'lr', 0, 1);
    const seed = intOption(values, 'seed', 0, 0xffffffff);
    const resume = pathOption(values, 'resume', ctx.io.cwd);
    const checkpointEvery = intOption(values, 'checkpoint-every', 0, 10_000_000) ?? DEFAULT_CHECKPOINT_EVERY;
    const common = {
      outDir: out,
      ...(steps !== undefined ? { steps } : {}),
      ...(batchSize !== undefined ? { batchSize } : {}),
      ...(lr !== undefined ? { lr } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(resume ? { resumeFrom: resume } : {}),
      ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
      trainer: { checkpointEvery },
    };
    const { initBackend, finetune, pretrainBase, LATENT_FEEDBACK_KINDS, SHIPPED_BASE_CAPTION } = await import('@lvr/model');
    const backend = await initBackend();
    let res: RecipeResult;
    if (m === 'base') {
      const size = values.size;
      if (size !== undefined && !['tiny', 'demo', 'base', 'full'].includes(String(size))) throw new UsageError('--size must be tiny | demo | base | full');
      const shipped = size === 'base';
      const gridProbability = numberOption(values, 'grid-prob', 0, 1) ?? (shipped ? SHIPPED_BASE_CAPTION.gridProbability : 0);
      const markProbability = numberOption(values, 'mark-prob', 0, 1) ?? (shipped ? SHIPPED_BASE_CAPTION.markProbability : 0);
      res = await pretrainBase({
        ...common, tokenizerPath: data, ...(size ? { size: size as 'tiny' | 'demo' | 'base' | 'full' } : {}),
        ...(gridProbability > 0 || markProbability > 0 ? { caption: { gridProbability, markProbability } } : {}),
      });
    } else {
      const base = pathOption(values, 'base', ctx.io.cwd);
      if (!base) throw new UsageError(`--base DIR is required for --mode ${m}`);
      const lambda = numberOption(values, 'lambda', 0, 1e6);
      const kind = values['lvr-loss'];
      if (kind !== undefined && !['mse', 'mae', 'cosine'].includes(String(kind))) throw new UsageError('--lvr-loss must be mse | mae | cosine');
      const latents = intOption(values, 'latents', 0, 4096);
      const stage1 = numberOption(values, 'stage1', 0, 1);
      const feedback = values.feedback;
      if (feedback !== undefined && (m !== 'lvr' || !(LATENT_FEEDBACK_KINDS as readonly string[]).includes(String(feedback)))) {
        throw new UsageError(`--feedback must be ${LATENT_FEEDBACK_KINDS.join(' | ')} (with --mode lvr)`);
      }
      const hopLambda = numberOption(values, 'hop-lambda', 0, 1e6);
      let hopRamp: [number, number] | undefined;
      if (values['hop-ramp'] !== undefined) {
        const parts = String(values['hop-ramp']).split(',').map(Number);
        if (parts.length !== 2 || !(parts[0]! >= 0 && parts[1]! >= parts[0]! && parts[1]! <= 1)) throw new UsageError('--hop-ramp A,B needs 0 ≤ A ≤ B ≤ 1 (fractions of training), e.g. 0.3,0.5');
        if (m !== 'lvr') throw new UsageError('--hop-ramp applies to --mode lvr');
        hopRamp = [parts[0]!, parts[1]!];
      }
      const pauseTokens = intOption(values, 'pause-tokens', 1, 4096);
      if (pauseTokens !== undefined && feedback !== 'pause') throw new UsageError('--pause-tokens applies to --feedback pause');
      let lora: { r: number; alpha: number } | undefined;
      if (typeof values.lora === 'string') {
        const [r, alpha] = values.lora.split(':').map(Number);
        if (m !== 'livr' || !Number.isInteger(r) || !(r! > 0) || !(alpha! > 0)) throw new UsageError('--lora R:ALPHA (e.g. 8:16) applies to --mode livr');
        lora = { r: r!, alpha: alpha! };
      }
      res = await finetune({
        ...common, mode: m, baseDir: base, data,
        objective: {
          ...(lambda !== undefined ? { lvrLambda: lambda } : {}), ...(kind ? { lvrLoss: kind as 'mse' | 'mae' | 'cosine' } : {}),
          ...(hopRamp ? { hopRamp } : {}),
        },
        ...(latents !== undefined ? (m === 'livr' ? { numLatents: latents } : { latentCount: latents }) : {}),
        ...(stage1 !== undefined ? { livrStage1Fraction: stage1 } : {}),
        ...(feedback !== undefined ? { latentFeedback: feedback as LatentFeedbackKind } : {}),
        ...(hopLambda !== undefined ? { hopLambda } : {}),
        ...(pauseTokens !== undefined ? { pauseTokens } : {}),
        ...(lora ? { latentsAndLora: lora } : {}),
      });
    }
    const last = res.train.history.at(-1);
    const first = res.train.history[0];
    res.model.dispose();
    const summary = { mode: m, backend, outDir: res.outDir, steps: res.train.step, first, last, checkpoints: res.train.checkpoints };
    if (ctx.json) ctx.io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else {
      ctx.io.stdout.write(`trained ${m} for ${res.train.step} steps on ${backend} → ${displayPath(ctx.io, res.outDir)}\n`);
      if (first && last) ctx.io.stdout.write(`  loss ${Number(first.loss).toFixed(4)} → ${Number(last.loss).toFixed(4)}${last['loss/lvr'] !== undefined ? `, loss/lvr ${Number(first['loss/lvr']).toFixed(4)} → ${Number(last['loss/lvr']).toFixed(4)}` : ''}\n`);
      ctx.io.stdout.write(`  curves: ${displayPath(ctx.io, `${res.outDir}/loss_curve.png`)}, metrics: ${displayPath(ctx.io, `${res.outDir}/metrics.jsonl`)}\n`);
    }
    return 0;
  },
};

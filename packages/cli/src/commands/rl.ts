import { parseStrategySpec } from '@lvr/decoding';
import type { GrpoLatentOptions } from '@lvr/model';
import { UsageError, intOption, numberOption, pathOption, specOption, type ParsedValues } from '../args.js';
import { REQUIRE_OPTION, loadRequiredModules } from '../require-modules.js';
import type { Command, CommandContext } from './command.js';
import { displayPath } from './synth.js';

type GrpoInput = NonNullable<GrpoLatentOptions['grpo']>;

function choice<T extends string>(values: ParsedValues, name: string, allowed: readonly T[]): T | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${allowed.join(' | ')}`);
  return v as T;
}

/** `--rewards accuracy,format=0.5`: built-in reward names with optional weights. */
function rewardsOption(values: ParsedValues): GrpoInput['rewards'] {
  const raw = values.rewards;
  if (raw === undefined) return undefined;
  const items = String(raw).split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new UsageError('--rewards expects NAME[=WEIGHT],…');
  return items.map((item) => {
    const [name = '', w] = item.split('=');
    const weight = w === undefined ? 1 : Number(w);
    if (!Number.isFinite(weight)) throw new UsageError(`--rewards: weight of ${name} must be a number, got ${JSON.stringify(w)}`);
    return { name: name.trim(), weight };
  });
}

/** The GRPO settings given on the command line (absent options keep the library defaults). */
function grpoOptions(values: ParsedValues): GrpoInput {
  const t = numberOption(values, 'temperature', 0, 100);
  const k = intOption(values, 'top-k', 0, 1_000_000);
  const p = numberOption(values, 'top-p', 0, 1);
  const eps = numberOption(values, 'epsilon', 0, 1);
  const out: Record<string, unknown> = {};
  if (t !== undefined || k !== undefined || p !== undefined) {
    out.sampler = { kind: 'sample', temperature: t ?? 0.9, topK: k ?? 50, topP: p ?? 1, repetitionPenalty: 1 };
  }
  const set = (key: string, v: unknown): void => { if (v !== undefined) out[key] = v; };
  set('maxNewTokens', intOption(values, 'max-new-tokens', 1, 1_000_000));
  set('lossType', choice(values, 'loss-type', ['bnpo', 'grpo', 'dr_grpo'] as const));
  set('scaleRewards', choice(values, 'scale-rewards', ['group', 'none'] as const));
  set('maskRule', choice(values, 'mask-rule', ['reference', 'reference+start', 'text'] as const));
  set('epsilonLow', numberOption(values, 'epsilon-low', 0, 1) ?? eps);
  set('epsilonHigh', numberOption(values, 'epsilon-high', 0, 1e6) ?? eps);
  set('rewards', rewardsOption(values));
  return out as GrpoInput;
}

/**
 * `lvr rl`: GRPO_latent on a trained LVR model — rollouts with per-row traces, exact latent replay, clipped-ratio +
 * k3-KL loss; writes metrics (reward, KL, clip ratio, replay invariant), `reward_curve.png` and checkpoints.
 *
 * @example
 * // lvr rl --model runs/lvr --data runs/suite --out runs/rl --steps 40 --group 8 --strategy fixed:8
 */
export const rlCommand: Command = {
  name: 'rl',
  summary: 'GRPO_latent reinforcement learning of an LVR model with exact latent replay',
  help: [
    'Usage: lvr rl --model MODEL_DIR --data DATA --out DIR [--steps N] [--group G] [--prompts P] [--strategy SPEC]',
    '              [--beta X] [--mu N] [--lr X] [--temperature X --top-k N --top-p X] [--rewards accuracy,format]',
    '',
    'Starts from MODEL_DIR (an LVR-SFT model) and its frozen copy as the reference model (β > 0). DATA is a GRPO',
    'JSON file (image paths relative to --image-folder, default its folder), a synthetic suite folder (--split',
    'train | test) or an LVR SFT meta file. Every μ steps each of P prompts gets G sampled completions (stated',
    'sampler: temperature 0.9, top-k 50, top-p 1 unless given); rewards → group advantages; the policy, old policy',
    'and reference log-probs come from one teacher-forced replay that feeds the recorded latent vectors at the',
    'positions where they were fed. Rewards: accuracy, format, format-lenient, choice (NAME=WEIGHT).',
    'DIR receives metrics.jsonl, reward_curve.png, loss_curve.png, completions.jsonl, grpo_config.json, the model',
    'and checkpoint-<step>/ folders; --resume DIR continues a run (exactly, when checkpoints fall on multiples of μ).',
    'See docs/grpo-latent.md for every setting and metric.',
  ].join('\n'),
  options: {
    model: { type: 'string', valueName: 'DIR', description: 'starting model folder (after LVR SFT)' },
    data: { type: 'string', valueName: 'PATH', description: 'GRPO JSON, synthetic suite folder or LVR SFT meta' },
    out: { type: 'string', short: 'o', valueName: 'DIR', description: 'run folder' },
    split: { type: 'string', valueName: 'NAME', description: 'suite split for the prompts: train | test (default train)' },
    'image-folder': { type: 'string', valueName: 'DIR', description: 'image folder of a GRPO JSON file' },
    'max-prompts': { type: 'string', valueName: 'N', description: 'use only the first N prompts' },
    steps: { type: 'string', valueName: 'N', description: 'optimizer steps (default 50)' },
    group: { type: 'string', valueName: 'G', description: 'completions per prompt (default 8)' },
    prompts: { type: 'string', valueName: 'P', description: 'prompts per step (default 2)' },
    strategy: {
      type: 'string', valueName: 'SPEC', description: "rollout stop strategy, e.g. latent-end:0.02:16 (default fixed:8, the reference's)",
    },
    require: REQUIRE_OPTION,
    beta: { type: 'string', valueName: 'X', description: 'KL coefficient β (default 0.04; 0 = no reference model)' },
    mu: { type: 'string', valueName: 'N', description: 'optimizer steps per rollout batch μ (default 1)' },
    lr: { type: 'string', valueName: 'X', description: 'peak learning rate (default 1e-4)' },
    seed: { type: 'string', valueName: 'N', description: 'seed of prompt order and rollouts (default 0)' },
    temperature: { type: 'string', valueName: 'X', description: 'rollout temperature (default 0.9)' },
    'top-k': { type: 'string', valueName: 'N', description: 'rollout top-k (default 50; 0 = off)' },
    'top-p': { type: 'string', valueName: 'X', description: 'rollout top-p (default 1 = off)' },
    'max-new-tokens': { type: 'string', valueName: 'N', description: 'generated positions per completion, latents included (default 64)' },
    'loss-type': { type: 'string', valueName: 'KIND', description: 'bnpo (default) | grpo | dr_grpo' },
    'scale-rewards': { type: 'string', valueName: 'KIND', description: 'group (default) | none' },
    'mask-rule': { type: 'string', valueName: 'RULE', description: 'reference (default) | reference+start | text' },
    epsilon: { type: 'string', valueName: 'X', description: 'clip ε for both sides (default 0.2)' },
    'epsilon-low': { type: 'string', valueName: 'X', description: 'lower clip ε_low' },
    'epsilon-high': { type: 'string', valueName: 'X', description: 'upper clip ε_high' },
    rewards: { type: 'string', valueName: 'LIST', description: 'NAME[=WEIGHT],… (default accuracy,format)' },
    'checkpoint-every': { type: 'string', valueName: 'N', description: 'save a checkpoint every N steps (a multiple of μ)' },
    resume: { type: 'string', valueName: 'DIR', description: 'resume from a checkpoint or run folder' },
  },
  async run(values: ParsedValues, ctx: CommandContext): Promise<number> {
    const modelDir = pathOption(values, 'model', ctx.io.cwd);
    const data = pathOption(values, 'data', ctx.io.cwd);
    const out = pathOption(values, 'out', ctx.io.cwd);
    if (!modelDir) throw new UsageError('--model DIR is required');
    if (!data) throw new UsageError('--data PATH is required');
    if (!out) throw new UsageError('--out DIR is required');
    const num = (v: number | undefined, key: string): Record<string, number> => (v === undefined ? {} : { [key]: v });
    const split = choice(values, 'split', ['train', 'test'] as const);
    const imageFolder = pathOption(values, 'image-folder', ctx.io.cwd);
    await loadRequiredModules(values, ctx.io.cwd);
    const strategy = values.strategy === undefined ? undefined : specOption(values, 'strategy', '', parseStrategySpec);
    const checkpointEvery = intOption(values, 'checkpoint-every', 0, 10_000_000);
    const resume = pathOption(values, 'resume', ctx.io.cwd);
    const opts: GrpoLatentOptions = {
      modelDir, data, outDir: out,
      ...(split ? { split } : {}),
      ...(imageFolder ? { imageFolder } : {}),
      ...num(intOption(values, 'max-prompts', 1), 'maxPrompts'),
      ...num(intOption(values, 'steps', 1, 10_000_000), 'steps'),
      ...num(intOption(values, 'group', 2, 4096), 'groupSize'),
      ...num(intOption(values, 'prompts', 1, 4096), 'promptsPerStep'),
      ...num(numberOption(values, 'beta', 0, 1e6), 'beta'),
      ...num(intOption(values, 'mu', 1, 1000), 'mu'),
      ...num(numberOption(values, 'lr', 0, 1), 'lr'),
      ...num(intOption(values, 'seed', 0, 0xffffffff), 'seed'),
      ...(strategy ? { strategy } : {}),
      grpo: grpoOptions(values),
      ...(checkpointEvery !== undefined ? { trainer: { checkpointEvery } } : {}),
      ...(resume ? { resumeFrom: resume } : {}),
      ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
    };
    const { initBackend, grpoLatent } = await import('@lvr/model');
    const backend = await initBackend();
    const res = await grpoLatent(opts);
    res.model.dispose();
    const h = res.train.history;
    const first = h[0];
    const last = h.at(-1);
    const replayMax = Math.max(...h.map((r) => r['replay/max_abs_logp_diff'] ?? 0));
    const summary = {
      backend, outDir: res.outDir, steps: res.train.step, first, last, replayMaxAbsLogpDiff: replayMax,
      rewardCurve: res.rewardCurve, checkpoints: res.train.checkpoints,
    };
    if (ctx.json) ctx.io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else {
      ctx.io.stdout.write(`GRPO_latent: ${res.train.step} steps on ${backend} → ${displayPath(ctx.io, res.outDir)}\n`);
      if (first && last) {
        ctx.io.stdout.write(`  reward/mean ${Number(first['reward/mean']).toFixed(3)} → ${Number(last['reward/mean']).toFixed(3)}` +
          `, replay max |Δ log p| ${replayMax.toExponential(2)}\n`);
      }
      ctx.io.stdout.write(`  curves: ${displayPath(ctx.io, res.rewardCurve)}, metrics: ${displayPath(ctx.io, `${res.outDir}/metrics.jsonl`)}\n`);
    }
    return 0;
  },
};

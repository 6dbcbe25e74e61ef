import { resolve } from 'node:path';
import { UsageError, intOption, pathOption, type ParsedValues } from '../args.js';
import { demoConfig } from '../demo/config.js';
import { runPipeline, type PipelineResult } from '../demo/pipeline.js';
import { DEMO_STAGES, demoStages } from '../demo/stages.js';
import { shippedBaseDir } from '../study/shipped-base.js';
import type { CliIo } from '../io.js';
import type { Command, CommandContext } from './command.js';
import { displayPath } from './synth.js';

/** Default output folder of `lvr demo`, relative to the working directory. */
export const DEFAULT_DEMO_OUT = 'runs/demo';

/** Human-readable report of a finished demo run: one line per stage, then the artifacts. */
export function demoReport(io: CliIo, outDir: string, res: PipelineResult): string[] {
  const total = res.stages.reduce((s, r) => s + r.ms, 0);
  const cpu = res.stages.reduce((s, r) => s + r.cpuMs, 0);
  const lines = [`lvr demo finished in ${(total / 1000).toFixed(1)} s (cpu ${(cpu / 1000).toFixed(1)} s, this process and its jobs) → ${displayPath(io, outDir)}`];
  const w = Math.max(...res.stages.map((s) => s.name.length));
  for (const s of res.stages) {
    const summary = Object.entries(s.summary).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`  ${s.name.padEnd(w)}  ${(s.ms / 1000).toFixed(1).padStart(5)} s  (cpu ${(s.cpuMs / 1000).toFixed(1).padStart(5)} s)  ${summary}`);
  }
  lines.push('artifacts:');
  const aw = Math.max(...Object.keys(res.artifacts).map((k) => k.length));
  for (const [k, v] of Object.entries(res.artifacts)) lines.push(`  ${k.padEnd(aw)}  ${displayPath(io, v)}`);
  return lines;
}

/**
 * The base model folder of a demo run: `--base DIR`, else `LVR_DEMO_BASE`, else the shipped `models/base`
 * (undefined with `--pretrain`, which trains one into the run folder).
 */
export function demoBaseDir(values: ParsedValues, cwd: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (values.pretrain === true) {
    if (values.base !== undefined) throw new UsageError('--base and --pretrain exclude each other');
    return undefined;
  }
  return pathOption(values, 'base', cwd) ?? (env.LVR_DEMO_BASE ? resolve(cwd, env.LVR_DEMO_BASE) : shippedBaseDir());
}

/**
 * `lvr demo`: the end-to-end demo as a pipeline of stages — from the shipped base: its visual-token probe, the
 * chase-k study (does latent reasoning pay off?), one perception task with SFT / LVR / LIVR, and the report.
 *
 * @example
 * // npm run demo            → runs/demo/report.md (+ accuracy-vs-k.png, charts, chase/, models)
 * // lvr demo --full --out runs/full
 * // lvr demo --pretrain     (pre-trains a base instead of using models/base)
 */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the end-to-end demo (base probe → chase-k study → perception task SFT / LVR / LIVR → evaluation + probes → report)',
  help: [
    `Usage: lvr demo [--out DIR] [--full] [--seed N] [--base DIR | --pretrain] [--json]`,
    '',
    'Runs the demo stages in order:',
    ...DEMO_STAGES.map((s) => `  ${s.name.padEnd(8)} ${s.description}`),
    `Outputs go to DIR (default ${DEFAULT_DEMO_OUT}); --full uses the larger configuration (all four perception tasks,`,
    'chase k = 1–4, GRPO_latent). The base is --base DIR, else $LVR_DEMO_BASE, else the shipped models/base;',
    '--pretrain trains a new one into DIR/base. LVR_DEMO_SCALE=0.05 shrinks every stage (smoke run).',
  ].join('\n'),
  options: {
    out: { type: 'string', short: 'o', valueName: 'DIR', description: `output folder (default ${DEFAULT_DEMO_OUT})` },
    full: { type: 'boolean', description: 'larger, slower configuration' },
    seed: { type: 'string', valueName: 'N', description: 'master seed (default 0)' },
    base: { type: 'string', valueName: 'DIR', description: 'base model folder (default $LVR_DEMO_BASE, else the shipped models/base)' },
    pretrain: { type: 'boolean', description: 'pre-train a new base into the run folder instead' },
  },
  async run(values: ParsedValues, ctx: CommandContext): Promise<number> {
    const outDir = pathOption(values, 'out', ctx.io.cwd, DEFAULT_DEMO_OUT)!;
    const seed = intOption(values, 'seed', 0, 0xffffffff) ?? 0;
    const full = values.full === true;
    const baseDir = demoBaseDir(values, ctx.io.cwd);
    const stages = demoStages({ pretrain: baseDir === undefined, ...(baseDir ? { baseDir } : {}), rl: demoConfig(full).rlSteps > 0 });
    const res = await runPipeline(stages, {
      outDir,
      full,
      seed,
      onProgress: ctx.onProgress,
      onStageStart: (stage, i, n) => {
        if (!ctx.json) ctx.io.stderr.write(`[${i + 1}/${n}] ${stage.name}: ${stage.description}\n`);
      },
    });
    if (ctx.json) ctx.io.stdout.write(`${JSON.stringify({ outDir, ...res }, null, 2)}\n`);
    else ctx.io.stdout.write(`${demoReport(ctx.io, outDir, res).join('\n')}\n`);
    return 0;
  },
};

import { intOption, pathOption, type ParsedValues } from '../args.js';
import { runPipeline, type PipelineResult } from '../demo/pipeline.js';
import { DEMO_STAGES } from '../demo/stages.js';
import type { CliIo } from '../io.js';
import type { Command, CommandContext } from './command.js';
import { displayPath } from './synth.js';

/** Default output folder of `lvr demo`, relative to the working directory. */
export const DEFAULT_DEMO_OUT = 'runs/demo';

/** Human-readable report of a finished demo run: one line per stage, then the artifacts. */
export function demoReport(io: CliIo, outDir: string, res: PipelineResult): string[] {
  const total = res.stages.reduce((s, r) => s + r.ms, 0);
  const lines = [`lvr demo finished in ${(total / 1000).toFixed(1)} s → ${displayPath(io, outDir)}`];
  const w = Math.max(...res.stages.map((s) => s.name.length));
  for (const s of res.stages) {
    const summary = Object.entries(s.summary).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`  ${s.name.padEnd(w)}  ${(s.ms / 1000).toFixed(1).padStart(5)} s  ${summary}`);
  }
  lines.push('artifacts:');
  const aw = Math.max(...Object.keys(res.artifacts).map((k) => k.length));
  for (const [k, v] of Object.entries(res.artifacts)) lines.push(`  ${k.padEnd(aw)}  ${displayPath(io, v)}`);
  return lines;
}

/**
 * `lvr demo`: the end-to-end demo as a pipeline of stages (today: synthetic suite + preview PNG with the
 * ROI boxes drawn; later: pretraining, SFT / LVR / LIVR fine-tuning, evaluation and a report).
 *
 * @example
 * // npm run demo            → runs/demo/report.md (+ charts, suite, models)
 * // lvr demo --full --out runs/full
 */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the end-to-end demo (suite → pre-train → SFT / LVR / LIVR → RL → evaluation + probes → report)',
  help: [
    `Usage: lvr demo [--out DIR] [--full] [--seed N] [--json]`,
    '',
    'Runs the demo stages in order:',
    ...DEMO_STAGES.map((s) => `  ${s.name.padEnd(8)} ${s.description}`),
    `Outputs go to DIR (default ${DEFAULT_DEMO_OUT}); --full uses the larger configuration.`,
  ].join('\n'),
  options: {
    out: { type: 'string', short: 'o', valueName: 'DIR', description: `output folder (default ${DEFAULT_DEMO_OUT})` },
    full: { type: 'boolean', description: 'larger, slower configuration' },
    seed: { type: 'string', valueName: 'N', description: 'master seed (default 0)' },
  },
  async run(values: ParsedValues, ctx: CommandContext): Promise<number> {
    const outDir = pathOption(values, 'out', ctx.io.cwd, DEFAULT_DEMO_OUT)!;
    const seed = intOption(values, 'seed', 0, 0xffffffff) ?? 0;
    const res = await runPipeline(DEMO_STAGES, {
      outDir,
      full: values.full === true,
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

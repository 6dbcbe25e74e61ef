import { join } from 'node:path';
import { LvrError, pathExists } from '@lvr/core';
import { pathOption, type ParsedValues } from '../args.js';
import { runPipeline } from '../demo/pipeline.js';
import type { Command, CommandContext } from './command.js';
import { displayPath } from './synth.js';

/**
 * `lvr report --run DIR`: (re)writes `report.md`, `report.json` and the charts of a demo run folder from its
 * evaluation summary and training metrics, without retraining or re-evaluating.
 *
 * @example
 * // lvr report --run runs/demo
 */
export const reportCommand: Command = {
  name: 'report',
  summary: 'rewrite report.md / report.json / charts of a demo run from its results',
  help: ['Usage: lvr report [--run DIR] [--json]', '', 'DIR (default runs/demo) must hold suite/, sft/, lvr/, livr/ and eval/summary.json from `lvr demo` (chase/ and probe.json are used when present).'].join('\n'),
  options: { run: { type: 'string', valueName: 'DIR', description: 'demo run folder (default runs/demo)' } },
  async run(values: ParsedValues, ctx: CommandContext): Promise<number> {
    const dir = pathOption(values, 'run', ctx.io.cwd, 'runs/demo')!;
    const artifacts: Record<string, string> = {
      suiteDir: join(dir, 'suite'), baseDir: join(dir, 'base'), sftDir: join(dir, 'sft'), lvrDir: join(dir, 'lvr'), livrDir: join(dir, 'livr'),
      evalSummary: join(dir, 'eval', 'summary.json'),
    };
    if (await pathExists(join(dir, 'rl', 'metrics.jsonl'))) artifacts.rlDir = join(dir, 'rl'); // runs with an RL stage
    if (await pathExists(join(dir, 'chase', 'chase.json'))) artifacts.chaseDir = join(dir, 'chase');
    if (await pathExists(join(dir, 'probe.json'))) artifacts.probeJson = join(dir, 'probe.json');
    if (!(await pathExists(artifacts.evalSummary!))) {
      throw new LvrError('IO_ERROR', `${displayPath(ctx.io, artifacts.evalSummary!)} is missing: run \`lvr demo\` first`);
    }
    const { reportStage } = await import('../demo/stages/report.js'); // charts and metrics: @lvr/eval, @lvr/model
    const res = await runPipeline([reportStage], { outDir: dir, artifacts });
    const report = res.artifacts.report!;
    ctx.io.stdout.write(ctx.json ? `${JSON.stringify({ report })}\n` : `wrote ${displayPath(ctx.io, report)}\n`);
    return 0;
  },
};

import { join } from 'node:path';
import { LvrError, writeJsonAtomic } from '@lvr/core';
import type { VisualProbeReport } from '@lvr/eval';
import { demoConfig } from '../config.js';
import type { DemoContext, DemoStage, StageOutput } from '../pipeline.js';
import { runLvr } from '../subprocess.js';

/**
 * Demo stage `probe`: what the base's frozen visual tokens carry — `lvr probe --model <base> --json` (linear probes
 * from each merged visual token to its cell's colour, shape, size and marker; fitted on some scenes, scored on
 * others), run as a child process and saved to `<outDir>/probe.json` for the report. Provides `probeJson`.
 */
export const probeStage: DemoStage = {
  name: 'probe',
  description: 'linear probes of the base\'s visual tokens (lvr probe): colour, shape, size, marker per cell',
  requires: ['baseDir'],
  provides: ['probeJson'],
  async run(ctx: DemoContext): Promise<StageOutput> {
    const cfg = demoConfig(ctx.full);
    const out = await runLvr(['probe', '--model', ctx.artifacts.baseDir!, '--json', '--fit-scenes', String(cfg.probeFitScenes), '--scenes', String(cfg.probeTestScenes)], ctx.log, 'probe');
    let report: VisualProbeReport;
    try {
      report = JSON.parse(out.trim().split('\n').at(-1) ?? '') as VisualProbeReport;
    } catch (cause) {
      throw new LvrError('IO_ERROR', `lvr probe printed no JSON report: ${out.slice(0, 200)}`, { cause });
    }
    const file = join(ctx.outDir, 'probe.json');
    await writeJsonAtomic(file, { model: ctx.artifacts.baseDir, fitScenes: cfg.probeFitScenes, testScenes: cfg.probeTestScenes, ...report });
    return { artifacts: { probeJson: file }, summary: { colour: report.colour.toFixed(3), shape: report.shape.toFixed(3) } };
  },
};

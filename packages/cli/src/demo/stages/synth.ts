import { join } from 'node:path';
import { generateSuite } from '@lvr/data';
import type { DemoContext, DemoStage, StageOutput } from '../pipeline.js';
import { demoConfig } from '../config.js';

/**
 * Demo stage 1: writes the synthetic perception suite to `<outDir>/suite`.
 * Provides `suiteDir`, `trainJson`, `metaJson`, `testJsonl`, `tokenizer`.
 */
export const synthStage: DemoStage = {
  name: 'synth',
  description: 'generate the synthetic perception suite (the configured perception task(s))',
  requires: [],
  provides: ['suiteDir', 'trainJson', 'metaJson', 'testJsonl', 'tokenizer'],
  async run(ctx: DemoContext): Promise<StageOutput> {
    const cfg = demoConfig(ctx.full);
    const sizes = { trainCount: cfg.trainCount, testCount: cfg.testCount, tasks: cfg.suiteTasks };
    const res = await generateSuite({ outDir: join(ctx.outDir, 'suite'), seed: ctx.seed, ...sizes, onProgress: ctx.onProgress });
    ctx.log.info('suite written', { dir: res.outDir, train: res.train.length, test: res.test.length });
    return {
      artifacts: {
        suiteDir: res.outDir,
        trainJson: res.paths.train,
        metaJson: res.paths.meta,
        testJsonl: res.paths.test,
        tokenizer: res.paths.tokenizer,
      },
      summary: { train: res.train.length, test: res.test.length },
    };
  },
};

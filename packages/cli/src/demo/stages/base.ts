import { join } from 'node:path';
import { LvrError, pathExists } from '@lvr/core';
import type { DemoContext, DemoStage, StageOutput } from '../pipeline.js';

/**
 * Demo stage `base`: starts from an existing base model folder — the shipped `models/base/` by default, or the one
 * given by `lvr demo --base DIR` / `LVR_DEMO_BASE=DIR` — instead of pre-training one (`--pretrain` uses the
 * `pretrain` stage instead). Fails before any training when the folder has no `model.safetensors`. Provides `baseDir`.
 *
 * @example
 * await runPipeline([givenBaseStage('models/base'), …], { outDir: 'runs/demo' });
 */
export function givenBaseStage(dir: string): DemoStage {
  return {
    name: 'base',
    description: `use the base model in ${dir} (pass --pretrain to train a new one)`,
    requires: [],
    provides: ['baseDir'],
    async run(_ctx: DemoContext): Promise<StageOutput> {
      for (const f of ['config.json', 'model.safetensors', 'tokenizer.json']) {
        if (!(await pathExists(join(dir, f)))) {
          throw new LvrError('IO_ERROR', `base model ${dir} has no ${f}: pass --base DIR (or LVR_DEMO_BASE=DIR) with a model folder, or --pretrain`);
        }
      }
      return { artifacts: { baseDir: dir }, summary: { base: dir } };
    },
  };
}

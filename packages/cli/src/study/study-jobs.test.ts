import { describe, expect, it } from 'vitest';
import { studyJobs } from './chase-study.js';
import { resolveStudyConfig } from './study-options.js';

describe('studyJobs', () => {
  it('gives the headline arms (primary, SFT, Pause-K) --headline-seeds and the others --seeds', () => {
    const cfg = resolveStudyConfig({ task: 'chase', view: 'symbols', arms: 'sft,pause,lvr-ref,ptr-argmax', seeds: '3', 'headline-seeds': '5' });
    const jobs = studyJobs(cfg, 'base', 'out', 'onnx');
    const seeds = (arm: string): number[] => jobs.filter((j) => j.arm === arm).map((j) => j.seed);
    expect(seeds('sft')).toEqual([0, 1, 2, 3, 4]);
    expect(seeds('pause')).toEqual([0, 1, 2, 3, 4]);
    expect(seeds('ptr-argmax')).toEqual([0, 1, 2, 3, 4]);
    expect(seeds('lvr-ref')).toEqual([0, 1, 2]);
    // Seed-major: a study stopped early has whole seeds.
    expect(jobs.map((j) => j.seed)).toEqual([...jobs.map((j) => j.seed)].sort((a, b) => a - b));
  });

  it('without --headline-seeds every arm gets --seeds', () => {
    const cfg = resolveStudyConfig({ task: 'majority', view: 'pixels', seeds: '2' });
    expect(studyJobs(cfg, 'base', 'out', 'onnx').map((j) => `${j.arm}-s${j.seed}`)).toEqual(['livr-s0', 'sft-s0', 'livr-s1', 'sft-s1']);
  });
});

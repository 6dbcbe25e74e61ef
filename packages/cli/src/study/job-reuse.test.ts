import { describe, expect, it } from 'vitest';
import { LvrError } from '@lvr/core';
import type { StudyJob } from './chase-job.js';
import { jobReuse } from './job-reuse.js';

const job: StudyJob = {
  study: 'grid', arm: 'sft', seed: 0, baseDir: '/a/base', dir: '/a/jobs/sft-s0', task: { kind: 'chase', hops: [1, 3], legend: false },
  view: 'symbols', testHops: [1, 3], steps: 1500, batchSize: 32, lr: 1e-3, testItems: 1000, probeItems: 200, evalBatch: 100, backend: 'onnx',
};

describe('jobReuse', () => {
  it('reuses a finished job recorded with the same settings, wherever the folders are', () => {
    expect(jobReuse({ ...job, baseDir: '/elsewhere/base', dir: '/elsewhere/jobs/sft-s0' }, job)).toBe('reuse');
  });

  it('re-evaluates a job whose evaluation settings changed (more test items, other hops)', () => {
    expect(jobReuse({ ...job, testItems: 500 }, job)).toBe('rerun');
    expect(jobReuse({ ...job, testHops: [1] }, job)).toBe('rerun');
    expect(jobReuse({ ...job, probeItems: 50 }, job)).toBe('rerun');
  });

  it('refuses to mix a job trained with other settings into the table, naming the field', () => {
    for (const changed of [{ steps: 400 }, { lr: 3e-4 }, { task: { kind: 'chase' as const, hops: [1, 3], legend: true } }, { view: 'pixels' as const }]) {
      let err: unknown;
      try { jobReuse({ ...job, ...changed }, job); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(LvrError);
      expect((err as LvrError).code).toBe('CONFIG_INVALID');
      expect((err as LvrError).message).toContain(Object.keys(changed)[0]!);
      expect((err as LvrError).message).toContain('/a/jobs/sft-s0/job.json');
    }
  });

  it('runs a job that has no recorded settings', () => {
    expect(jobReuse(undefined, job)).toBe('rerun');
  });
});

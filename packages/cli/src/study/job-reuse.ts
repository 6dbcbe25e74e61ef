import { LvrError } from '@lvr/core';
import type { StudyJob } from './chase-job.js';

/** Fields that decide a job's trained model: a finished job run with other values is a different experiment. */
const TRAINING_FIELDS = ['arm', 'seed', 'task', 'view', 'steps', 'batchSize', 'lr'] as const satisfies readonly (keyof StudyJob)[];
/** Fields that only decide the evaluation: a finished job with other values is re-evaluated (re-trained if its model was deleted). */
const EVAL_FIELDS = ['testHops', 'testItems', 'probeItems', 'evalBatch', 'backend'] as const satisfies readonly (keyof StudyJob)[];

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * What a study does with a job folder that already has `result.json`: `reuse` it when the recorded `job.json`
 * asks for the same training and evaluation; `rerun` it when only the evaluation differs (e.g. more test items);
 * throw `CONFIG_INVALID` when the training differs, so a study never mixes results of two configurations in one
 * table. Paths (`dir`, `baseDir`) are not compared: a study folder may be moved or run from another checkout.
 *
 * @example
 * jobReuse(previous, job); // 'reuse' | 'rerun'
 */
export function jobReuse(previous: Partial<StudyJob> | undefined, job: StudyJob): 'reuse' | 'rerun' {
  if (previous === undefined) return 'rerun';
  const trained = TRAINING_FIELDS.filter((f) => !same(previous[f], job[f]));
  if (trained.length > 0) {
    const diff = trained.map((f) => `${f} ${JSON.stringify(previous[f])} → ${JSON.stringify(job[f])}`).join(', ');
    throw new LvrError('CONFIG_INVALID', `${job.dir}/job.json: this finished job was trained with other settings (${diff}); use another --out, or delete the job folder to re-train it`, {
      details: { field: trained[0] },
    });
  }
  return EVAL_FIELDS.every((f) => same(previous[f], job[f])) ? 'reuse' : 'rerun';
}

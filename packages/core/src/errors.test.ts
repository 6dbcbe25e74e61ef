import { describe, expect, it } from 'vitest';
import { LvrError, isLvrError } from './errors.js';

describe('LvrError', () => {
  it('carries code, details and cause', () => {
    const cause = new Error('inner');
    const e = new LvrError('DATASET_FORMAT', 'bad record 3 field "bboxes"', { cause, details: { record: 3 } });
    expect(e.code).toBe('DATASET_FORMAT');
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual({ record: 3 });
    expect(isLvrError(e)).toBe(true);
    expect(isLvrError(new Error('x'))).toBe(false);
    expect(isLvrError({ name: 'LvrError', code: 'IO_ERROR' })).toBe(true);
  });
});

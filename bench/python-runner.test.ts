import { describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { childEnv, lastJsonLine, num, OPENBLAS_UNSET } from './python-runner.js';
import { parseTorchDecode, parseTorchTrain } from './torch-reference.js';

function code(fn: () => unknown): string {
  try { fn(); } catch (e) { return isLvrError(e) ? `${e.code}: ${e.message}` : String(e); }
  return 'no error';
}

describe('childEnv', () => {
  it('removes the OpenBLAS variables only when asked and never touches the parent environment', () => {
    const base = { PATH: '/bin', OPENBLAS_CORETYPE: 'Haswell', OPENBLAS_L2_SIZE: '1048576', OPENBLAS_NUM_THREADS: '2' };
    const torch = childEnv(true, { EXTRA: '1' }, base);
    for (const k of OPENBLAS_UNSET) expect(torch[k]).toBeUndefined();
    expect(torch).toMatchObject({ PATH: '/bin', OPENBLAS_NUM_THREADS: '2', EXTRA: '1' });
    expect(childEnv(false, {}, base).OPENBLAS_CORETYPE).toBe('Haswell');
    expect(base.OPENBLAS_CORETYPE).toBe('Haswell');
  });
});

describe('lastJsonLine / num', () => {
  it('parses the last non-empty line as an object', () => {
    expect(lastJsonLine('warming up\n{"a": 1}\n\n', 'x')).toEqual({ a: 1 });
  });
  it('names the script when the output is not a JSON object', () => {
    expect(code(() => lastJsonLine('', 'bench_x.py'))).toBe('IO_ERROR: bench_x.py: printed no JSON');
    expect(code(() => lastJsonLine('oops', 'bench_x.py'))).toMatch(/^IO_ERROR: bench_x.py: the last output line is not JSON/);
    expect(code(() => lastJsonLine('[1]', 'bench_x.py'))).toMatch(/^IO_ERROR: bench_x.py: expected a JSON object/);
  });
  it('rejects missing and non-finite numbers naming the field', () => {
    expect(num({ a: 2 }, 'a', 'w')).toBe(2);
    expect(code(() => num({ a: 'x' }, 'a', 'w'))).toBe('IO_ERROR: w: field "a" must be a finite number, got "x"');
    expect(code(() => num({}, 'b', 'w'))).toMatch(/field "b"/);
  });
});

describe('parseTorchDecode / parseTorchTrain', () => {
  const decode = { torch: '1.13', threads: { torch_threads: 1 }, verify_max_abs_diff: 6e-7, results: [{ batch: 1, context: 64, token_ms: 0.4, latent_ms: 0.5, prefill_ms: 1 }] };
  it('maps the JSON fields', () => {
    expect(parseTorchDecode(decode)).toEqual({ torch: '1.13', threads: { torch_threads: 1 }, verifyMaxAbsDiff: 6e-7, results: [{ batch: 1, context: 64, tokenMs: 0.4, latentMs: 0.5, prefillMs: 1 }] });
    const t = parseTorchTrain({ torch: '1.13', cases: { full: { ms: 90, trainable_params: 10 } }, peak: { n: 1024, ms: 10, gflops: 200 } });
    expect(t.cases.full).toEqual({ ms: 90, trainableParams: 10 });
    expect(t.cases.lm).toBeUndefined();
    expect(t.peak).toEqual({ n: 1024, ms: 10, gflops: 200 });
  });
  it('names the case index and field of bad output', () => {
    const bad = { ...decode, results: [decode.results[0], { batch: 8, context: 64, token_ms: null, latent_ms: 1, prefill_ms: 1 }] };
    expect(code(() => parseTorchDecode(bad))).toBe('IO_ERROR: bench_decode.py results[1]: field "token_ms" must be a finite number, got null');
    expect(code(() => parseTorchDecode({ ...decode, results: [] }))).toMatch(/"results" must be a non-empty array/);
    expect(code(() => parseTorchTrain({ cases: { huge: { ms: 1 } } }))).toBe('IO_ERROR: bench_train.py: unknown case "huge"');
  });
});

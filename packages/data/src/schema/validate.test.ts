import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { finiteFrom, flag, intAtLeast, intIn, nonEmptyString, numberIn, oneOf } from './rules.js';
import { checkWith, formatFieldPath, parseWith } from './validate.js';

/** The issues of a failed parse as `field: message` lines. */
function issuesOf(schema: z.ZodType, value: unknown): string[] {
  const r = checkWith(schema, value);
  if (r.ok) throw new Error('expected the parse to fail');
  return r.issues.map((i) => `${i.field}: ${i.message}`);
}

describe('formatFieldPath', () => {
  it('writes keys with dots and indices in brackets', () => {
    expect(formatFieldPath(['vision_config', 'hidden_size'])).toBe('vision_config.hidden_size');
    expect(formatFieldPath(['stages', 1, 'steps'])).toBe('stages[1].steps');
    expect(formatFieldPath(['bboxes', 0, 2])).toBe('bboxes[0][2]');
    expect(formatFieldPath([3])).toBe('[3]');
    expect(formatFieldPath([])).toBe('');
  });
});

describe('checkWith', () => {
  it('returns the parsed value', () => {
    expect(checkWith(z.object({ a: intIn(1, 3) }), { a: 2 })).toEqual({ ok: true, value: { a: 2 } });
  });

  it('names every field path with the value found, in the house wording', () => {
    const schema = z.strictObject({
      size: intIn(1, 65536),
      steps: intAtLeast(1),
      ratio: numberIn(0, 1),
      beta: numberIn(0, 1e6, { loOpen: true }),
      eps: finiteFrom(0, true),
      kind: oneOf(['cosine', 'linear']),
      on: flag(),
      name: nonEmptyString(),
      list: z.array(z.string()).max(2),
      nested: z.object({ deep: z.tuple([z.number(), z.number()]) }),
    });
    expect(issuesOf(schema, {
      size: 2 ** 40, steps: 1.5, ratio: 2, beta: 0, eps: Infinity, kind: 'step', on: 'yes', name: '', list: ['a', 'b', 'c'],
      nested: { deep: [1, 'x'] }, typo: 1,
    })).toEqual([
      'size: must be an integer in 1..65536, got 1099511627776',
      'steps: must be an integer ≥ 1, got 1.5',
      'ratio: must be a number in [0, 1], got 2',
      'beta: must be a number in (0, 1000000], got 0',
      'eps: must be a finite number > 0, got Infinity',
      'kind: must be one of cosine | linear, got "step"',
      'on: must be true or false, got "yes"',
      'name: must be a non-empty string, got ""',
      'list: must have at most 2 items, got an array of length 3',
      'nested.deep[1]: must be a number, got "x"',
      'typo: is not a known field',
    ]);
  });

  it('reports a missing field as missing and a wrong container type by name', () => {
    expect(issuesOf(z.object({ a: z.object({ b: z.number() }), c: z.number() }), { a: null })).toEqual([
      'a: must be an object, got null',
      'c: must be a number, got nothing (missing)',
    ]);
  });

  it('reports a union by the branch whose type matched, else by the union\'s own message', () => {
    const path = nonEmptyString();
    const image = z.object({ image: z.union([path, z.array(path).min(1)], { error: 'must be a path or a list of paths' }) });
    expect(issuesOf(image, { image: ['a.png', 3] })).toEqual(['image[1]: must be a non-empty string, got 3']);
    expect(issuesOf(image, { image: 3 })).toEqual(['image: must be a path or a list of paths, got 3']);
  });

  it('leaves the value to a refinement\'s own message', () => {
    const even = z.object({ n: z.number().refine((n) => n % 2 === 0, { error: 'is odd' }) });
    expect(issuesOf(even, { n: 3 })).toEqual(['n: is odd']);
  });

  it('reports a value that breaks one rule twice once (1e308 is past z.int\'s safe range and the maximum)', () => {
    expect(issuesOf(z.object({ n: intIn(1, 1024) }), { n: 1e308 })).toEqual(['n: must be an integer in 1..1024, got 1e+308']);
  });

  it('does not turn an own "__proto__" key into a prototype', () => {
    const r = checkWith(z.looseObject({ a: z.number() }), JSON.parse('{"a": 1, "__proto__": {"polluted": true}}'));
    expect(r.ok && Object.getPrototypeOf(r.value)).toBe(Object.prototype);
  });
});

describe('parseWith', () => {
  it('throws an LvrError with the code, the place, every field and the details', () => {
    try {
      parseWith(z.object({ a: intIn(1, 2), b: intIn(1, 2) }), { a: 0, b: 3 }, { code: 'CONFIG_INVALID', where: 'x.json', details: { file: 'x.json' } });
      expect.unreachable();
    } catch (e) {
      expect(isLvrError(e) && e.code).toBe('CONFIG_INVALID');
      expect((e as Error).message).toBe('x.json: a must be an integer in 1..2, got 0; b must be an integer in 1..2, got 3');
      expect((e as { details: unknown }).details).toMatchObject({ file: 'x.json', field: 'a', issues: [{ field: 'a' }, { field: 'b' }] });
      expect((e as Error).cause).toBeUndefined();
    }
  });

  it('shows at most five issues and counts the rest', () => {
    const schema = z.array(intIn(0, 0));
    expect(() => parseWith(schema, [1, 1, 1, 1, 1, 1, 1], { code: 'CONFIG_INVALID', where: 'list' })).toThrow(/\[4\] must be an integer in 0\.\.0, got 1; and 2 more$/);
  });
});

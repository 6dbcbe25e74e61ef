import { describe, expect, it } from 'vitest';
import { parseArgs } from 'node:util';
import {
  UsageError, formatOptions, intOption, listOption, numberOption, pathOption, stringList, toParseArgsOptions, type ParsedValues,
} from './args.js';

describe('option helpers', () => {
  it('parses integers and rejects anything else with a UsageError naming the flag', () => {
    expect(intOption({}, 'seed')).toBeUndefined();
    expect(intOption({ seed: '42' }, 'seed')).toBe(42);
    expect(intOption({ seed: ' 7 ' }, 'seed')).toBe(7);
    for (const bad of ['abc', '1.5', '', '1e3', '0x10']) {
      expect(() => intOption({ seed: bad }, 'seed')).toThrow(UsageError);
    }
    expect(() => intOption({ seed: '-1' }, 'seed', 0)).toThrow(/--seed must be in 0\.\./);
    expect(() => intOption({ n: '99' }, 'n', 0, 10)).toThrow(/--n/);
  });

  it('parses numbers, lists and paths', () => {
    expect(numberOption({ noise: '2.5' }, 'noise', 0, 128)).toBe(2.5);
    expect(() => numberOption({ noise: 'x' }, 'noise')).toThrow(/--noise/);
    expect(() => numberOption({ noise: '' }, 'noise')).toThrow(UsageError);
    expect(listOption({ tasks: 'count, pair' }, 'tasks', ['count', 'pair', 'attribute'])).toEqual(['count', 'pair']);
    expect(() => listOption({ tasks: 'count,nope' }, 'tasks', ['count'])).toThrow(/--tasks expects/);
    expect(() => listOption({ tasks: ',' }, 'tasks', ['count'])).toThrow(UsageError);
    expect(pathOption({ out: 'a/b' }, 'out', '/root')).toBe('/root/a/b');
    expect(pathOption({ out: '/abs' }, 'out', '/root')).toBe('/abs');
    expect(pathOption({}, 'out', '/root', 'runs/demo')).toBe('/root/runs/demo');
    expect(pathOption({}, 'out', '/root')).toBeUndefined();
  });

  it('formats aligned help rows and parseArgs specs', () => {
    const opts = {
      out: { type: 'string', short: 'o', valueName: 'DIR', description: 'output folder' },
      full: { type: 'boolean', description: 'bigger' },
    } as const;
    expect(formatOptions(opts).split('\n')).toEqual(['  -o, --out DIR  output folder', '      --full     bigger']);
    expect(toParseArgsOptions(opts)).toEqual({ out: { type: 'string', short: 'o' }, full: { type: 'boolean' } });
  });

  it('a repeatable option (multiple) collects every occurrence in order; stringList reads it', () => {
    const opts = { require: { type: 'string', multiple: true, valueName: 'FILE', description: 'module' } } as const;
    expect(formatOptions(opts)).toBe('      --require FILE …  module');
    const { values } = parseArgs({ args: ['--require', 'a.mjs', '--require=b.mjs'], options: toParseArgsOptions(opts), strict: true });
    expect(stringList(values as ParsedValues, 'require')).toEqual(['a.mjs', 'b.mjs']);
    expect(stringList({}, 'require')).toEqual([]);
    expect(stringList({ require: 'one.mjs' }, 'require')).toEqual(['one.mjs']);
    expect(() => stringList({ require: true }, 'require')).toThrow(/--require expects a value/);
  });
});

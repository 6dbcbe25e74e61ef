import { isLvrError } from '@lvr/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createStopStrategy, listStopStrategies, parseStrategySpec, registerStopStrategy, unregisterStopStrategy,
} from './registry.js';
import { readSpecArgs } from './spec-args.js';

function caught(f: () => unknown): unknown {
  try { f(); } catch (e) { return e; }
  throw new Error('expected a throw');
}

afterEach(() => {
  for (const k of ['every-other', 'dup-test']) {
    if (listStopStrategies().some((s) => s.kind === k)) unregisterStopStrategy(k);
  }
});

describe('stop strategy registry', () => {
  it('lists the six built-ins with usage strings', () => {
    const builtins = listStopStrategies().filter((s) => s.builtin).map((s) => s.kind);
    expect(builtins).toEqual(['fixed', 'latent-end', 'mode-switch', 'converge', 'end-prob', 'exit-prob']);
    expect(listStopStrategies().find((s) => s.kind === 'fixed')?.usage).toBe('fixed:N[:force-end]');
  });

  it('creates built-ins from configs', () => {
    expect(createStopStrategy({ kind: 'fixed', steps: 4 }).kind).toBe('fixed');
    expect(createStopStrategy({ kind: 'latent-end', maxSteps: 8 }).maxSteps).toBe(8);
    expect(createStopStrategy({ kind: 'mode-switch', forceEnd: true }).forceEnd).toBe(true);
  });

  it('an unknown kind is CONFIG_INVALID listing the known kinds', () => {
    const e = caught(() => createStopStrategy({ kind: 'oracle' }));
    expect(isLvrError(e) && e.code === 'CONFIG_INVALID').toBe(true);
    expect((e as Error).message)
      .toMatch(/unknown stop strategy kind "oracle"; known kinds: 'fixed', 'latent-end', 'mode-switch', 'converge', 'end-prob', 'exit-prob'/);
  });

  it('duplicate registration throws (built-in or custom); bad kinds are rejected', () => {
    expect(() => registerStopStrategy('fixed', () => createStopStrategy({ kind: 'fixed', steps: 1 }))).toThrow(/already registered \(built-in\)/);
    registerStopStrategy('dup-test', () => ({ kind: 'dup-test', needs: {}, decide: () => 'exit' }));
    expect(() => registerStopStrategy('dup-test', () => ({ kind: 'dup-test', needs: {}, decide: () => 'exit' }))).toThrow(/already registered/);
    expect(() => registerStopStrategy('Bad Kind', () => ({ kind: 'x', needs: {}, decide: () => 'exit' }))).toThrow(/lowercase name/);
    expect(() => unregisterStopStrategy('fixed')).toThrow(/built in/);
  });

  it('a custom strategy registered from outside works through configs and specs', () => {
    registerStopStrategy<{ kind: 'every-other'; limit?: number }>('every-other', (c) => ({
      kind: 'every-other', needs: {}, maxSteps: c.limit ?? 6, decide: (ctx) => (ctx.steps >= (c.limit ?? 6) - 1 ? 'exit' : 'continue'),
    }), { description: 'test', usage: 'every-other[:limit=N]' });
    const s = createStopStrategy({ kind: 'every-other', limit: 3 });
    expect(s.maxSteps).toBe(3);
    expect(parseStrategySpec('every-other:limit=4')).toEqual({ kind: 'every-other', limit: 4 });
    expect(listStopStrategies().at(-1)).toEqual({ kind: 'every-other', description: 'test', usage: 'every-other[:limit=N]', builtin: false });
    expect(() => parseStrategySpec('every-other:4')).toThrow(/use field=value/);
  });

  it('a custom factory or spec parser that throws a plain error gives CONFIG_INVALID naming the kind (cause kept)', () => {
    const bad = new RangeError('below must be > 0');
    registerStopStrategy<{ kind: 'dup-test'; below?: number }>('dup-test', (c) => {
      if ((c.below ?? 1) <= 0) throw bad;
      return { kind: 'dup-test', needs: {}, decide: () => 'exit' };
    }, {
      fromSpec: (args) => {
        if (args.includes('x')) throw new TypeError('no x');
        return { kind: 'dup-test', below: Number(args[0]) };
      },
    });
    for (const [f, message] of [
      [() => createStopStrategy({ kind: 'dup-test', below: -1 }), "stop strategy 'dup-test': invalid config: below must be > 0"],
      [() => parseStrategySpec('dup-test:-1'), "stop strategy 'dup-test': invalid config: below must be > 0"],
      [() => parseStrategySpec('dup-test:x'), `stop strategy 'dup-test': cannot read spec "dup-test:x": no x`],
    ] as const) {
      const e = caught(f);
      expect(isLvrError(e) && e.code === 'CONFIG_INVALID').toBe(true);
      expect((e as Error).message).toBe(message);
    }
    expect((caught(() => createStopStrategy({ kind: 'dup-test', below: -1 })) as Error).cause).toBe(bad);
  });

  it('a factory returning the wrong kind or no decide is rejected', () => {
    registerStopStrategy('dup-test', () => ({ kind: 'other', needs: {}, decide: () => 'exit' }));
    expect(() => createStopStrategy({ kind: 'dup-test' })).toThrow(/must return an object with kind 'dup-test'/);
  });
});

describe('parseStrategySpec', () => {
  it('parses the built-in specs', () => {
    expect(parseStrategySpec('fixed:8')).toEqual({ kind: 'fixed', steps: 8 });
    expect(parseStrategySpec('fixed:8:force-end')).toEqual({ kind: 'fixed', steps: 8, forceEnd: true });
    expect(parseStrategySpec('latent-end:0.02:16')).toEqual({ kind: 'latent-end', threshold: 0.02, maxSteps: 16 });
    expect(parseStrategySpec('latent-end:0.1:8:cosine')).toEqual({ kind: 'latent-end', threshold: 0.1, maxSteps: 8, criterion: 'cosine' });
    expect(parseStrategySpec('latent-end')).toEqual({ kind: 'latent-end' });
    expect(parseStrategySpec('mode-switch:16')).toEqual({ kind: 'mode-switch', maxSteps: 16 });
    expect(parseStrategySpec('mode-switch:16:logit:force-end')).toEqual({ kind: 'mode-switch', maxSteps: 16, rule: 'logit', forceEnd: true });
    expect(parseStrategySpec('converge:0.99:16')).toEqual({ kind: 'converge', threshold: 0.99, maxSteps: 16 });
    expect(parseStrategySpec('converge:minSteps=3')).toEqual({ kind: 'converge', minSteps: 3 });
    expect(parseStrategySpec('end-prob:0.5:16,force-end')).toEqual({ kind: 'end-prob', p: 0.5, maxSteps: 16, forceEnd: true });
    expect(parseStrategySpec('exit-prob:0.5:16:force-end')).toEqual({ kind: 'exit-prob', p: 0.5, maxSteps: 16, forceEnd: true });
  });

  it('builds the strategy once: createStopStrategy (what generate calls) reuses the instance built while parsing', () => {
    let built = 0;
    registerStopStrategy<{ kind: 'dup-test'; n?: number }>('dup-test', (c) => {
      built++;
      if (c.n !== undefined && c.n < 0) throw new Error('n must be ≥ 0');
      return { kind: 'dup-test', needs: {}, decide: () => 'exit' };
    });
    const config = parseStrategySpec('dup-test:n=2');
    expect(built).toBe(1); // validated by building it
    const s = createStopStrategy(config);
    expect(createStopStrategy(config)).toBe(s);
    expect(built).toBe(1);
    expect(Object.isFrozen(config)).toBe(true);
    // An equal config that did not come from the parser is built anew.
    expect(createStopStrategy({ ...config })).not.toBe(s);
    expect(built).toBe(2);
    // A kind registered anew since parsing gets its new factory.
    unregisterStopStrategy('dup-test');
    registerStopStrategy('dup-test', () => ({ kind: 'dup-test', needs: {}, decide: () => 'continue' }));
    expect(createStopStrategy(config)).not.toBe(s);
    expect(createStopStrategy(config).decide({} as never)).toBe('continue');
  });

  it('reports unreadable, duplicate, excess and invalid arguments', () => {
    expect(() => parseStrategySpec('fixed:8:9')).toThrow(/too many numbers \(9\)/);
    expect(() => parseStrategySpec('fixed:eight')).toThrow(/cannot read "eight"/);
    expect(() => parseStrategySpec('fixed:8:steps=9')).toThrow(/steps is given twice/);
    expect(() => parseStrategySpec('fixed:8:step=9')).toThrow(/unknown field "step"; fields: steps, forceEnd/);
    expect(() => parseStrategySpec('fixed')).toThrow(/steps must be an integer ≥ 0, got undefined/);
    expect(() => parseStrategySpec('latent-end:-1')).toThrow(/threshold must be/);
    const e = caught(() => parseStrategySpec('beam:4'));
    expect(isLvrError(e) && e.code === 'CONFIG_INVALID' && /known kinds: 'fixed'/.test(e.message)).toBe(true);
  });

  it('readSpecArgs converts values', () => {
    expect(readSpecArgs('x', ['a=1', 'b=true', 'c=hi'])).toEqual({ a: 1, b: true, c: 'hi' });
  });
});

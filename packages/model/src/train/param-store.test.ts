import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@lvr/core';
import { addParam, disposeParams, freezeModules, initNormal, paramCount, trainableParams, unfreezeModules, type ParamStore } from './param-store.js';
import { liveTensors, useWasmBackend } from './test-backend.js';

beforeAll(useWasmBackend);

function store(): ParamStore {
  const s: ParamStore = new Map();
  const add = (name: string, shape: number[], module: string, decay?: boolean): void => {
    const t = tf.zeros(shape);
    addParam(s, name, t, decay === undefined ? { module } : { module, decay });
    t.dispose();
  };
  add('visual.patch.weight', [4, 8], 'vision');
  add('visual.blocks.0.norm.weight', [8], 'vision.blocks.0');
  add('merger.fc.weight', [8, 8], 'merger');
  add('model.embed_tokens.weight', [16, 8], 'llm', false);
  add('model.norm.weight', [8], 'llm');
  return s;
}

describe('ParamStore helpers', () => {
  it('adds parameters with decay defaulting to matrices only', () => {
    const s = store();
    expect([...s].map(([n, e]) => [n, e.decay])).toEqual([
      ['visual.patch.weight', true], ['visual.blocks.0.norm.weight', false], ['merger.fc.weight', true],
      ['model.embed_tokens.weight', false], ['model.norm.weight', false],
    ]);
    expect(paramCount(s)).toBe(32 + 8 + 64 + 128 + 8);
    const t = tf.zeros([1]);
    expect(() => addParam(s, 'merger.fc.weight', t, { module: 'merger' })).toThrow(/already used/);
    const i = tf.zeros([1], 'int32');
    expect(() => addParam(s, 'ids', i, { module: 'x' })).toThrow(/must be float32/);
    t.dispose();
    i.dispose();
    disposeParams(s);
  });

  it('freezes whole modules including nested ones, and keeps tf.Variable.trainable in sync', () => {
    const s = store();
    expect(freezeModules(s, ['vision', 'merger'])).toBe(3);
    expect(trainableParams(s).map(([n]) => n)).toEqual(['model.embed_tokens.weight', 'model.norm.weight']);
    expect(s.get('visual.blocks.0.norm.weight')?.variable.trainable).toBe(false);
    expect(paramCount(s, { trainableOnly: true })).toBe(136);
    expect(unfreezeModules(s, ['merger'])).toBe(1);
    expect(s.get('merger.fc.weight')?.variable.trainable).toBe(true);
    expect(() => freezeModules(s, ['vison'])).toThrow(/no parameter belongs to module "vison" \(modules: vision, vision\.blocks\.0, merger, llm\)/);
    disposeParams(s);
    expect(s.size).toBe(0);
  });

  it('initialises deterministically from an Rng without leaking', () => {
    const before = liveTensors();
    const a = initNormal([3, 5], new Rng(3), 0.5);
    const b = initNormal([3, 5], new Rng(3), 0.5);
    const c = initNormal([3, 5], new Rng(4), 0.5);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    const big = initNormal([4000], new Rng(1), 0.5);
    const std = Math.sqrt(Array.from(big.dataSync()).reduce((acc, v) => acc + v * v, 0) / 4000);
    expect(std).toBeGreaterThan(0.47);
    expect(std).toBeLessThan(0.53);
    [a, b, c, big].forEach((t) => t.dispose());
    expect(liveTensors()).toBe(before);
  });
});

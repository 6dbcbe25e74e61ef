import { describe, expect, it } from 'vitest';
import { STUB_TOKENS } from '../testing/stub-model.js';
import { convergeStrategy } from './converge.js';
import { latentDistance } from './distance.js';
import { endProbStrategy } from './end-prob.js';
import { exitProbStrategy } from './exit-prob.js';
import { fixedStepsStrategy } from './fixed.js';
import { latentEndStrategy } from './latent-end.js';
import { modeSwitchStrategy } from './mode-switch.js';
import type { LatentDecisionContext } from './stop-strategy.js';

const V = 32;
const D = 2;

function ctx(over: Partial<LatentDecisionContext> = {}): LatentDecisionContext {
  const fedVectors = over.fedVectors ?? [];
  return {
    row: 0, spanIndex: 0, steps: fedVectors.length, fedVectors, hidden: new Float32Array(D), latent: new Float32Array(D),
    logits: new Float32Array(V), sampledToken: 10, tokens: STUB_TOKENS, latentEndEmbedding: undefined, ...over,
  };
}
const vecs = (...xs: number[][]): Float32Array[] => xs.map((x) => Float32Array.from(x));

describe('distance', () => {
  it('mse, mae and per-row cosine against hand values', () => {
    expect(latentDistance([1, 1], [0, 1], 'mse')).toBe(0.5);
    expect(latentDistance([3, -1], [0, 1], 'mae')).toBe(2.5);
    expect(latentDistance([1, 0], [0, 1], 'cosine')).toBe(1);
    expect(latentDistance([2, 0], [1, 0], 'cosine')).toBe(0);
    expect(latentDistance([0, 0], [1, 0], 'cosine')).toBe(1);
    expect(() => latentDistance([1], [1, 2], 'mse')).toThrow(/1 and 2 values/);
  });
});

describe('built-in strategies', () => {
  it('fixed: continue until N vectors were fed; N = 0 exits at entry', () => {
    const s = fixedStepsStrategy({ kind: 'fixed', steps: 2 });
    expect(s.maxSteps).toBe(2);
    expect(s.decide(ctx())).toBe('continue');
    expect(s.decide(ctx({ fedVectors: vecs([1, 0]) }))).toBe('continue');
    expect(s.decide(ctx({ fedVectors: vecs([1, 0], [1, 0]) }))).toBe('exit');
    expect(fixedStepsStrategy({ kind: 'fixed', steps: 0 }).decide(ctx())).toBe('exit');
    expect(() => fixedStepsStrategy({ kind: 'fixed', steps: -1 })).toThrow(/steps must be an integer ≥ 0/);
    expect(() => fixedStepsStrategy({ kind: 'fixed', steps: 2, forceEnd: 'yes' as never })).toThrow(/forceEnd must be a boolean/);
  });

  it('latent-end: exits when the vector just fed is within τ of E; never at entry', () => {
    const E = Float32Array.of(1, 1);
    const s = latentEndStrategy({ kind: 'latent-end' });
    expect(s.needs.latentEndEmbedding).toBe(true);
    expect(s.maxSteps).toBe(16);
    expect(s.decide(ctx({ latentEndEmbedding: E, hidden: E, latent: E }))).toBe('continue');
    expect(s.decide(ctx({ latentEndEmbedding: E, fedVectors: vecs([1.1, 1]) }))).toBe('exit'); // mse 0.005
    expect(s.decide(ctx({ latentEndEmbedding: E, fedVectors: vecs([1.1, 1], [1.3, 1]) }))).toBe('continue'); // mse 0.045
    const cos = latentEndStrategy({ kind: 'latent-end', criterion: 'cosine', threshold: 0.01 });
    expect(cos.decide(ctx({ latentEndEmbedding: E, fedVectors: vecs([5, 5]) }))).toBe('exit');
    expect(() => latentEndStrategy({ kind: 'latent-end', criterion: 'l2' as never })).toThrow(/'mse', 'mae', 'cosine'/);
    expect(() => latentEndStrategy({ kind: 'latent-end', threshold: 0 })).toThrow(/threshold/);
  });

  it('mode-switch: sampled / argmax / logit rules', () => {
    const end = STUB_TOKENS.lvrEndId;
    const logits = new Float32Array(V);
    logits[end] = 0.5;
    logits[11] = 3;
    const sampled = modeSwitchStrategy({ kind: 'mode-switch' });
    expect(sampled.maxSteps).toBeUndefined();
    expect(sampled.decide(ctx({ sampledToken: end }))).toBe('exit');
    expect(sampled.decide(ctx({ sampledToken: 11, logits }))).toBe('continue');
    const argmaxRule = modeSwitchStrategy({ kind: 'mode-switch', rule: 'argmax' });
    expect(argmaxRule.decide(ctx({ sampledToken: end, logits }))).toBe('continue');
    const logitRule = modeSwitchStrategy({ kind: 'mode-switch', rule: 'logit', maxSteps: 4 });
    expect(logitRule.decide(ctx({ logits }))).toBe('exit');
    logits[end] = -0.1;
    expect(logitRule.decide(ctx({ logits }))).toBe('continue');
  });

  it('converge: exits when the cosine of the last two fed vectors exceeds τ', () => {
    const s = convergeStrategy({ kind: 'converge', threshold: 0.99 });
    expect(s.decide(ctx({ fedVectors: vecs([1, 0]) }))).toBe('continue');
    expect(s.decide(ctx({ fedVectors: vecs([1, 0], [0, 1]) }))).toBe('continue');
    expect(s.decide(ctx({ fedVectors: vecs([1, 0], [0, 1], [0.01, 1]) }))).toBe('exit');
    const late = convergeStrategy({ kind: 'converge', minSteps: 4 });
    expect(late.decide(ctx({ fedVectors: vecs([0, 1], [0, 1], [0, 1]) }))).toBe('continue');
    expect(late.decide(ctx({ fedVectors: vecs([0, 1], [0, 1], [0, 1], [0, 1]) }))).toBe('exit');
  });

  it('end-prob: exits when softmax(logits)[<|lvr_end|>] > p after minSteps', () => {
    const logits = new Float32Array(V);
    logits[STUB_TOKENS.lvrEndId] = Math.log(31 * 3); // P(end) = 93 / 124 = 0.75
    const s = endProbStrategy({ kind: 'end-prob', p: 0.7 });
    expect(s.decide(ctx({ logits }))).toBe('continue'); // minSteps 1
    expect(s.decide(ctx({ logits, fedVectors: vecs([1, 0]) }))).toBe('exit');
    expect(endProbStrategy({ kind: 'end-prob', p: 0.8 }).decide(ctx({ logits, fedVectors: vecs([1, 0]) }))).toBe('continue');
    expect(endProbStrategy({ kind: 'end-prob', p: 0.7, minSteps: 0 }).decide(ctx({ logits }))).toBe('exit');
    expect(() => endProbStrategy({ kind: 'end-prob', p: 1 })).toThrow(/p must be a number in \(0, 1\)/);
  });

  it('exit-prob: exits once P(<|lvr_latent_end|>) + P(<|lvr_end|>) > p, never before minSteps (default 1)', () => {
    // Probabilities over the 32 ids: latent-end a, end b, the rest share 1 − a − b.
    const logits = (a: number, b: number): Float32Array => {
      const l = new Float32Array(V).fill(Math.log((1 - a - b) / (V - 2)));
      l[STUB_TOKENS.lvrLatentEndId] = Math.log(a);
      l[STUB_TOKENS.lvrEndId] = Math.log(b);
      return l;
    };
    const s = exitProbStrategy({ kind: 'exit-prob', p: 0.5, maxSteps: 16, forceEnd: true });
    const fed = vecs([1, 0], [0, 1]);
    expect(s.decide(ctx({ logits: logits(0.3, 0.3), fedVectors: fed }))).toBe('exit'); // 0.6 summed
    expect(s.decide(ctx({ logits: logits(0.4, 0.01), fedVectors: fed }))).toBe('continue'); // 0.41
    expect(s.decide(ctx({ logits: logits(0.9, 0.05) }))).toBe('continue'); // entry decision, 0 steps
    expect([s.kind, s.maxSteps, s.forceEnd]).toEqual(['exit-prob', 16, true]);
    // end-prob on the same logits watches <|lvr_end|> alone.
    expect(endProbStrategy({ kind: 'end-prob', p: 0.5 }).decide(ctx({ logits: logits(0.3, 0.3), fedVectors: fed }))).toBe('continue');
    const d = exitProbStrategy({ kind: 'exit-prob' });
    expect([d.maxSteps, d.forceEnd]).toEqual([undefined, false]);
    expect(exitProbStrategy({ kind: 'exit-prob', minSteps: 0 }).decide(ctx({ logits: logits(0.9, 0.05) }))).toBe('exit');
    expect(() => exitProbStrategy({ kind: 'exit-prob', p: 0 })).toThrow(/stop strategy 'exit-prob': p must be a number in \(0, 1\)/);
    expect(() => exitProbStrategy({ kind: 'exit-prob', maxSteps: 0 })).toThrow(/'exit-prob': maxSteps must be an integer ≥ 1/);
  });
});

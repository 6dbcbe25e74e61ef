import { describe, expect, it } from 'vitest';
import { parameterSpecs } from './models/params.js';
import { MODEL_SIZES } from './recipes/sizes.js';
import { DEFAULT_MAX_PARAMETERS, parameterCount, resolveMaxParameters } from './config-size.js';
import { TINY_TOKENS, tinyConfig } from './testing.js';
import { resolveModelConfig } from './config.js';

describe('parameterCount', () => {
  it('equals the sum over parameterSpecs for every module combination', () => {
    const configs = [
      tinyConfig(),
      tinyConfig({ attentionBias: false, lvr: { head: 'simple', latentEndEmbedding: true, pauseTokens: 0 } }),
      tinyConfig({ lvr: { head: 'glu', latentEndEmbedding: false, pauseTokens: 3 }, lora: { r: 3, alpha: 2, targets: ['q', 'k', 'o'] } }),
      tinyConfig({ vision: { patchSize: 6, temporalPatchSize: 1, spatialMergeSize: 3, inChannels: 4, hiddenSize: 24, depth: 2, numHeads: 3, intermediateSize: 10 } }),
      ...Object.values(MODEL_SIZES).map((s) => resolveModelConfig({ ...s, vocabSize: 160, tokens: { ...TINY_TOKENS, latentIds: [] } })),
    ];
    for (const c of configs) {
      expect(parameterCount(c)).toBe(parameterSpecs(c).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0));
    }
  });
});

describe('resolveMaxParameters', () => {
  it('takes the option, else LVR_MAX_PARAMETERS, else the default', () => {
    expect(resolveMaxParameters(undefined, {})).toBe(DEFAULT_MAX_PARAMETERS);
    expect(resolveMaxParameters(undefined, { LVR_MAX_PARAMETERS: '5000' })).toBe(5000);
    expect(resolveMaxParameters(7, { LVR_MAX_PARAMETERS: '5000' })).toBe(7);
  });

  it('rejects a cap that is not an integer in 1..2^32, naming where it came from', () => {
    expect(() => resolveMaxParameters(undefined, { LVR_MAX_PARAMETERS: 'lots' })).toThrow('LVR_MAX_PARAMETERS must be an integer in 1..4294967296, got "lots"');
    expect(() => resolveMaxParameters(0, {})).toThrow('maxParameters must be an integer in 1..4294967296, got 0');
  });
});

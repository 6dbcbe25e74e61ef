import { describe, expect, it } from 'vitest';
import { EXTRACTION_MODES, extractAnswer } from './extract.js';

describe('extractAnswer', () => {
  it('dispatches every mode on the same reply', () => {
    const text = 'The answer is B';
    const got = Object.fromEntries(EXTRACTION_MODES.map((mode) => [mode, extractAnswer(text, ['Open', 'Closed'], { mode }).letter]));
    expect(got).toEqual({
      default: 'B',
      word: null,
      'lvr-reference': 'T',
      'lmms-mmvp': 'B',
      'lmms-vstar': 'B',
      'lmms-blink': 'T',
      'blink-official': null,
    });
  });
  it('rejects an unknown mode', () => {
    expect(() => extractAnswer('A', ['x', 'y'], { mode: 'gpt' as never })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

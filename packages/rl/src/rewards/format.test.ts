import { describe, expect, it } from 'vitest';
import { formatReward, lenientFormat, lenientFormatReward, strictFormat } from './format.js';

const ctx = { step: 0, logMetric: () => {}, logExtra: () => {} };

describe('format rewards', () => {
  it('strict: the reference regex (lvr-reference.md §9 item 21)', () => {
    expect(strictFormat('<|lvr_start|><|lvr|><|lvr|><|lvr_end|>\n<answer>4</answer>')).toBe(1);
    expect(strictFormat('<|lvr_start|>…<|lvr_end|>\n<answer>4</answer>')).toBe(1);
    expect(strictFormat('so <|lvr_start|><|lvr_end|>\n<answer>4</answer>')).toBe(0); // text before the span
    expect(strictFormat('<|lvr_start|>\n<|lvr_end|><answer>4</answer>')).toBe(0); // newline inside the span
  });

  it('strict: whitespace only between <|lvr_end|> and <answer>, one line of answer, ends with </answer>', () => {
    expect(strictFormat('<|lvr_start|><|lvr_end|>  \n <answer> red </answer>')).toBe(1);
    expect(strictFormat('<|lvr_start|><|lvr_end|> so <answer>4</answer>')).toBe(0);
    expect(strictFormat('<|lvr_start|><|lvr_end|><answer>4\n</answer>')).toBe(0);
    expect(strictFormat('<|lvr_start|><|lvr_end|><answer>4</answer>\n')).toBe(1); // Python's $ allows one final \n
    expect(strictFormat('<|lvr_start|><|lvr_end|><answer>4</answer>\n\n')).toBe(0);
    expect(strictFormat('<|lvr_start|><|lvr_end|><answer>4</answer> done')).toBe(0);
    expect(strictFormat('<|lvr_start|><answer>4</answer>')).toBe(0); // no <|lvr_end|>
  });

  it('lenient: contains both LVR tokens (the paper)', () => {
    expect(lenientFormat('a <|lvr_start|> b <|lvr_end|> c')).toBe(1);
    expect(lenientFormat('a <|lvr_start|> b')).toBe(0);
  });

  it('reward functions map over the batch', () => {
    const completions = ['<|lvr_start|><|lvr_end|><answer>4</answer>', 'x <|lvr_start|><|lvr_end|>'];
    const samples = completions.map(() => ({ id: 'q', solution: '<answer>4</answer>' }));
    expect(formatReward({ completions, samples }, ctx)).toEqual([1, 0]);
    expect(lenientFormatReward({ completions, samples }, ctx)).toEqual([1, 1]);
  });
});

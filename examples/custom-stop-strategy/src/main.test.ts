import { createStopStrategy, listStopStrategies } from '@lvr/decoding';
import { describe, expect, it } from 'vitest';
import { formatTrace, runExample } from './main.js';
import { registerNormDrop } from './norm-drop.js';

describe('custom stop strategy example', () => {
  it('norm-drop is registered from outside @lvr/decoding and selectable by config and by spec', async () => {
    registerNormDrop();
    expect(listStopStrategies().find((s) => s.kind === 'norm-drop')).toMatchObject({ builtin: false, usage: 'norm-drop[:BELOW[:MAXSTEPS]]' });
    expect(createStopStrategy({ kind: 'norm-drop', below: 0.2 }).maxSteps).toBe(12);

    const [a, b] = await runExample('norm-drop:0.5');
    // fed norms 4·0.6^k for k = 0, 1, …: 4, 2.4, 1.44, 0.864, 0.518, 0.311 → the 6th is the first below 0.5
    expect(a!.latentSpans.map((s) => [s.start, s.steps, s.stopReason])).toEqual([[1, 6, 'strategy']]);
    expect(a!.latentSpans[0]!.vectors.map((v) => Number(Math.hypot(...v).toFixed(3)))).toEqual([4, 2.4, 1.44, 0.864, 0.518, 0.311]);
    // row 1 enters one position later (its <|lvr_start|> is at position 3 too: prompt 2 + index 1)
    expect(b!.latentSpans.map((s) => [s.start, s.steps, s.stopReason])).toEqual([[2, 6, 'strategy']]);
    expect(formatTrace(a!)).toMatch(/span at 1: 6 steps, stop strategy, fed norms \[4.000, 2.400, 1.440, 0.864, 0.518, 0.311\]/);
  });

  it('a lower threshold runs into the strategy budget', async () => {
    const [a] = await runExample('norm-drop:0.001:4');
    expect(a!.latentSpans.map((s) => [s.steps, s.stopReason])).toEqual([[4, 'budget']]);
  });
});

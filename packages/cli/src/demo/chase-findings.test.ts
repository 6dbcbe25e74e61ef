import { describe, expect, it } from 'vitest';
import { chaseFindings, probeMarkdown, type ChaseResults } from './chase-findings.js';

const probe = (drop: number, lo: number, hi: number) => ({ acc: { acc: 30, lo: 20, hi: 40 }, drop: { diff: drop, lo, hi } });
const results: ChaseResults = {
  k: [1, 3], labels: ['chase-k1', 'chase-k3'],
  arms: {
    sft: { acc: [60, 26], ci: [[55, 65], [22, 30]] },
    pause: { acc: [58, 27], ci: [[53, 63], [23, 31]] },
    'ptr-argmax': { acc: [90, 66], ci: [[86, 93], [61, 71]] },
  },
  primary: { comparison: 'x', label: 'chase-k3', sft: { diff: 40, ci: [34, 46], p: 0 }, pause: { diff: 39, ci: [-1, 45], p: 0.06 } },
  probes: { 'ptr-argmax': { 'chase-k3': { zeros: probe(36, 30, 42), shuffle: probe(-2, -5, 1), oracle: { ...probe(0, 0, 0), acc: { acc: 97, lo: 95, hi: 99 } }, 'per-hop': { ...probe(NaN, NaN, NaN), perHop: [80, 70, 60] } } } },
};

describe('chaseFindings', () => {
  const f = chaseFindings(results, { armLabels: { sft: 'SFT', pause: 'Pause-K', 'ptr-argmax': 'pointer' }, primaryArm: 'ptr-argmax', chance: 25 });

  it('states each k with every arm, the highest arm, and SFT against k', () => {
    expect(f[0]).toBe('k = 1: SFT 60.0 % [55.0, 65.0]; Pause-K 58.0 % [53.0, 63.0]; pointer 90.0 % [86.0, 93.0] (chance 25 %). Highest: pointer.');
    expect(f[1]).toContain('Highest: pointer.');
    expect(f[2]).toBe('SFT (answer only, no extra positions): 60.0 % at k = 1 → 26.0 % at k = 3 (-34.0 points).');
  });

  it('words the pre-stated comparisons from their CIs', () => {
    expect(f).toContain('Pre-stated comparison at k = 3: pointer − SFT = +40.0 points [34.0, 46.0] — significantly higher (95 % CI excludes 0).');
    expect(f).toContain('Pre-stated comparison at k = 3: pointer − Pause-K = +39.0 points [-1.0, 45.0] — no significant difference (95 % CI includes 0).');
  });

  it('reports the latent probes: accuracy change (sign flipped from the drop), share of the gain erased, oracle, per-hop', () => {
    const line = f.find((x) => x.startsWith('pointer at k = 3'));
    expect(line).toBe('pointer at k = 3: zeroed latents change accuracy by -36.0 points [-42.0, -30.0]; shuffled latents change accuracy by +2.0 points [-1.0, 5.0]; '
      + 'zeros erase 90 % of its 40.0-point gain over SFT; oracle hop tokens give 97.0 %; its generated latent t is nearest to the hop-t cell for 80.0 / 70.0 / 60.0 % of items.');
  });

  it('says so when every arm scores the same', () => {
    const same = { acc: [24.7], ci: [[19.7, 29.7]] as [number, number][] };
    const g = chaseFindings({ ...results, arms: { sft: same, pause: { acc: [24.7], ci: [[20, 29.3]] } }, k: [3], labels: ['chase-k3'], probes: {} }, { armLabels: {}, primaryArm: 'ptr-argmax', chance: 25 });
    expect(g[0]).toBe('k = 3: every arm (2) scores 24.7 % (95 % CI about [19.7, 29.7]; chance 25 %) — identical accuracy, so no arm has learnt anything the others have not at this size.');
  });

  it('flags an arm near chance', () => {
    const g = chaseFindings({ ...results, arms: { sft: { acc: [27], ci: [[20, 34]] } }, k: [1], labels: ['chase-k1'], probes: {} }, { armLabels: {}, primaryArm: 'ptr-argmax', chance: 25 });
    expect(g[0]).toBe('k = 1: sft 27.0 % [20.0, 34.0] (chance 25 %). Highest: sft, within 5 points of chance.');
  });
});

describe('probeMarkdown', () => {
  const layout = (colour: number, shape: number) => ({ colour, shape, size: null, marked: 0.9, cell: 0.17, n: 320, nFit: 480 });
  it('tables both layouts and words the G1 gate from the numbers', () => {
    const ok = probeMarkdown({ colour: 0.95, shape: 0.92, size: 0.8, marked: 0.9, n: 320, grid: layout(0.95, 0.92), free: { ...layout(0.7, 0.4), size: 0.8 }, model: 'm', fitScenes: 30, testScenes: 20 });
    expect(ok).toContain('| grid (one object per 16-px cell, as in chase) | 0.950 | 0.920 | – | 0.900 | 0.170 | 320 |');
    expect(ok).toContain('| free (3–10 objects, both sizes) | 0.700 | 0.400 | 0.800 | 0.900 | 0.170 | 320 |');
    expect(ok.at(-1)).toBe('Gate G1 (grid colour ≥ 0.9 and shape ≥ 0.9): passed — colour 0.950, shape 0.920.');
    const bad = probeMarkdown({ colour: 0.95, shape: 0.5, size: null, marked: null, n: 320, grid: layout(0.95, 0.5) });
    expect(bad.at(-1)).toMatch(/^Gate G1 .*: not passed — colour 0\.950, shape 0\.500: the frozen visual tokens/);
  });
});

import { describe, expect, it } from 'vitest';
import { barChartSvg, lineChartSvg, niceTicks } from './svg-chart.js';
import { isLvrError } from '@lvr/core';

const texts = (svg: string, cls: string): string[] =>
  [...svg.matchAll(new RegExp(`<text[^>]*class="${cls}"[^>]*>([^<]*)</text>`, 'g'))].map((m) => m[1] as string);
/** Every tag is closed and no element repeats an attribute (librsvg rejects both). */
function expectWellFormed(svg: string): void {
  for (const m of svg.matchAll(/<([a-z]+)((?:\s+[a-z0-9-]+="[^"]*")*)\s*\/?>/g)) {
    const names = [...(m[2] as string).matchAll(/([a-z0-9-]+)=/g)].map((a) => a[1]);
    expect(new Set(names).size, `duplicate attribute in <${m[1]}>`).toBe(names.length);
  }
  const stripped = svg.replace(/<[a-z]+(?:\s+[a-z0-9-]+="[^"]*")*\s*\/>/g, '');
  const opens = [...stripped.matchAll(/<([a-z]+)[\s>]/g)].map((m) => m[1]);
  const closes = [...stripped.matchAll(/<\/([a-z]+)>/g)].map((m) => m[1]);
  expect(opens.sort()).toEqual(closes.sort());
  expect(svg).not.toMatch(/NaN|Infinity|undefined/);
}
const paths = (svg: string): string[] => [...svg.matchAll(/<path class="series" d="([^"]*)"/g)].map((m) => m[1] as string);

describe('niceTicks', () => {
  it('covers the range with 1/2/5 steps', () => {
    expect(niceTicks(0, 1, 5)).toEqual({ ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], step: 0.2 });
    expect(niceTicks(3, 97, 5)).toEqual({ ticks: [0, 20, 40, 60, 80, 100], step: 20 });
    expect(niceTicks(1.13, 1.41, 5).ticks).toEqual([1.1, 1.15, 1.2, 1.25, 1.3, 1.35, 1.4, 1.45]);
  });
  it('widens a degenerate range and rejects non-finite bounds', () => {
    const t = niceTicks(2, 2);
    expect(t.ticks[0]).toBeLessThan(2);
    expect(t.ticks[t.ticks.length - 1]).toBeGreaterThan(2);
    expect(() => niceTicks(0, Number.NaN)).toThrow(/non-finite/);
  });
});

describe('lineChartSvg', () => {
  const base = {
    title: 'Loss <train> & eval',
    xLabel: 'step',
    yLabel: 'loss',
    series: [
      { name: 'loss/ce', points: [[1, 2], [2, 1.5], [3, 1.2], [4, 1]] as [number, number][] },
      { name: 'loss/lvr', points: [[1, 0.5], [2, Number.NaN], [3, 0.3], [4, 0.25]] as [number, number][] },
    ],
  };

  it('draws every series, axis ticks, a legend and escaped text', () => {
    const svg = lineChartSvg(base);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="400"')).toBe(true);
    expect(svg).toContain('Loss &lt;train&gt; &amp; eval');
    expect(texts(svg, 'legend')).toEqual(['loss/ce', 'loss/lvr']);
    expect(texts(svg, 'ytick')).toEqual(['0.0', '0.5', '1.0', '1.5', '2.0']);
    expect(texts(svg, 'xtick')).toEqual(['1.0', '1.5', '2.0', '2.5', '3.0', '3.5', '4.0']);
    const [ce, lvr] = paths(svg);
    expect(ce?.match(/[ML]/g)).toEqual(['M', 'L', 'L', 'L']);
    // the NaN point breaks the second line into two pieces
    expect(lvr?.match(/[ML]/g)).toEqual(['M', 'M', 'L']);
    expect(lineChartSvg(base)).toBe(svg); // deterministic
    expectWellFormed(svg);
    expectWellFormed(lineChartSvg({ ...base, smoothing: 0.5, logY: true }));
  });

  it('maps values to pixels: the max y is at the top of the plot, the min x at the left edge', () => {
    const svg = lineChartSvg({ series: [{ name: 'a', points: [[0, 0], [10, 10]] }], width: 400, height: 300 });
    // plot area: left 70, right 380, top 40, bottom 248
    expect(paths(svg)[0]).toBe('M70 248L380 40');
  });

  it('uses decade ticks on a log axis and drops non-positive points', () => {
    const svg = lineChartSvg({ logY: true, series: [{ name: 'a', points: [[0, 0.001], [1, 0], [2, 0.5], [3, 5]] }] });
    expect(texts(svg, 'ytick')).toEqual(['0.001', '0.01', '0.1', '1', '10']);
    expect(paths(svg)[0]?.match(/[ML]/g)).toEqual(['M', 'M', 'L']);
  });

  it('smooths with a debiased EMA and keeps the raw line faint', () => {
    const pts: [number, number][] = [[0, 0], [1, 10], [2, 0], [3, 10]];
    const raw = lineChartSvg({ series: [{ name: 'a', points: pts }] });
    const smooth = lineChartSvg({ series: [{ name: 'a', points: pts }], smoothing: 0.9 });
    expect(smooth).toContain('stroke-opacity="0.25"');
    const ys = (d: string): number[] => [...d.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]));
    const rawYs = ys(paths(raw)[0] as string);
    const smYs = ys(paths(smooth)[0] as string);
    expect(smYs[0]).toBe(rawYs[0]); // debiased: first point equals the raw value
    const spread = (a: number[]): number => Math.max(...a) - Math.min(...a);
    expect(spread(smYs)).toBeLessThan(spread(rawYs) * 0.7);
    const exempt = lineChartSvg({ series: [{ name: 'a', points: pts, smooth: false }], smoothing: 0.9 });
    expect(paths(exempt)).toEqual(paths(raw));
    expect(() => lineChartSvg({ series: [], smoothing: 1 })).toThrow(/smoothing/);
  });

  it('renders "no data" for empty input and rejects tiny sizes', () => {
    expect(lineChartSvg({ series: [] })).toContain('no data');
    try {
      lineChartSvg({ series: [], width: 10 });
      expect.unreachable();
    } catch (e) {
      expect(isLvrError(e) && e.code === 'INVALID_ARGUMENT').toBe(true);
    }
  });
});

describe('barChartSvg', () => {
  const opts = {
    title: 'accuracy',
    yLabel: 'acc',
    groups: ['count', 'depth', 'relation'],
    yRange: [0, 1] as const,
    series: [
      { name: 'LVR', values: [0.7, 0.6, 0.5], lo: [0.65, 0.55, 0.45], hi: [0.75, 0.66, 0.55] },
      { name: 'SFT', values: [0.5, null, 0.4] },
    ],
  };

  it('draws one bar per non-null value, whiskers where lo/hi exist, group labels and legend', () => {
    const svg = barChartSvg(opts);
    expect(svg.match(/class="bar"/g)).toHaveLength(5);
    expect(svg.match(/class="whisker"/g)).toHaveLength(3);
    expect(texts(svg, 'xtick')).toEqual(['count', 'depth', 'relation']);
    expect(texts(svg, 'legend')).toEqual(['LVR', 'SFT']);
    expect(texts(svg, 'ytick')).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    // bar height is proportional to the value: plot height 308 px for [0, 1]
    const heights = [...svg.matchAll(/class="bar"[^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights[0]).toBeCloseTo(0.7 * 308, 1);
    expectWellFormed(svg);
  });

  it('includes zero and negative values in the automatic range', () => {
    const svg = barChartSvg({ groups: ['a', 'b'], series: [{ name: 's', values: [-1, 3] }] });
    expect(texts(svg, 'ytick')).toContain('0');
    expect(texts(svg, 'ytick')[0]).toBe('-1');
  });

  it('rejects mismatched lengths and non-finite values with the series and field named', () => {
    expect(() => barChartSvg({ groups: ['a', 'b'], series: [{ name: 'S1', values: [1] }] })).toThrow(/"S1" field "values" has 1 entries for 2 groups/);
    expect(() => barChartSvg({ groups: ['a'], series: [{ name: 'S2', values: [1], hi: [Number.NaN] }] })).toThrow(/"S2" field "hi"/);
    expect(() => barChartSvg({ groups: [], series: [] })).toThrow(/groups is empty/);
  });
});

import { describe, expect, it } from 'vitest';
import { runPipeline, type DemoStage } from './pipeline.js';

function stage(name: string, requires: string[], provides: string[], produce: Record<string, string> = {}): DemoStage & { seen: Record<string, string>[] } {
  const seen: Record<string, string>[] = [];
  return {
    name,
    description: name,
    requires,
    provides,
    seen,
    async run(ctx) {
      seen.push({ ...ctx.artifacts });
      return { artifacts: produce, summary: { n: 1 } };
    },
  };
}

describe('runPipeline', () => {
  it('runs stages in order and threads artifacts', async () => {
    const a = stage('a', [], ['x'], { x: '/x' });
    const b = stage('b', ['x'], ['y'], { y: '/y' });
    const started: string[] = [];
    const res = await runPipeline([a, b], { outDir: '/o', seed: 3, onStageStart: (s, i, n) => started.push(`${i + 1}/${n} ${s.name}`) });
    expect(started).toEqual(['1/2 a', '2/2 b']);
    expect(b.seen).toEqual([{ x: '/x' }]);
    expect(res.artifacts).toEqual({ x: '/x', y: '/y' });
    expect(res.stages.map((s) => [s.name, s.summary])).toEqual([['a', { n: 1 }], ['b', { n: 1 }]]);
  });

  it('fails before any work when a stage needs something no earlier stage provides', async () => {
    const a = stage('a', [], ['x'], { x: '/x' });
    const b = stage('b', ['z'], []);
    await expect(runPipeline([a, b], { outDir: '/o' })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('"b" needs z') });
    expect(a.seen).toHaveLength(0);
    expect((await runPipeline([b], { outDir: '/o', artifacts: { z: '/z' } })).stages).toHaveLength(1);
  });

  it('rejects duplicate stages and stages that do not produce what they provide', async () => {
    const a = stage('a', [], []);
    await expect(runPipeline([a, a], { outDir: '/o' })).rejects.toThrow(/appears twice/);
    await expect(runPipeline([stage('liar', [], ['x'])], { outDir: '/o' })).rejects.toThrow(/"liar" did not produce x/);
  });
});

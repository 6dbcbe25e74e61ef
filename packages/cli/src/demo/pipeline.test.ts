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

  it('records each stage\'s CPU time, including its child processes', async () => {
    const { execFileSync } = await import('node:child_process');
    const busy = stage('busy', [], []);
    busy.run = async () => {
      // a child process that spins for ~300 ms of CPU: counted once it has been waited for
      execFileSync(process.execPath, ['-e', 'const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }; while (cpu() < 300) {}']);
      return {};
    };
    const res = await runPipeline([busy, stage('idle', [], [])], { outDir: '/o' });
    expect(res.stages[0]!.cpuMs).toBeGreaterThanOrEqual(process.platform === 'linux' ? 250 : 0);
    expect(res.stages[1]!.cpuMs).toBeLessThan(100);
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

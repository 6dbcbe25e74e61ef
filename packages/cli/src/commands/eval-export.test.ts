import { access, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSuite } from '@lvr/data';
import { runCli } from '../cli.js';
import { memoryIo } from '../io.js';

let dir: string;
const run = async (args: string[]): Promise<string> => {
  const io = memoryIo(dir);
  const code = await runCli(args, io);
  if (code !== 0) throw new Error(`lvr ${args.join(' ')} → ${code}: ${io.err()}`);
  return io.out();
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-cli-eval-'));
  await generateSuite({ outDir: join(dir, 'suite'), seed: 4, trainCount: 8, testCount: 8 });
  await run(['train', '--mode', 'base', '--data', 'suite', '--out', 'base', '--steps', '1', '--batch', '2', '--size', 'tiny']);
  await run(['train', '--mode', 'lvr', '--base', 'base', '--data', 'suite', '--out', 'lvr', '--steps', '1', '--batch', '2']);
}, 120_000);
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const letters = async (file: string): Promise<Record<string, string | null>> =>
  Object.fromEntries((await readFile(join(dir, file), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { id: string; letter: string | null }).map((r) => [r.id, r.letter]));

describe('lvr eval, export, infer --backend onnx, rl', () => {
  it('evaluates, resumes without recomputing, and merges shards to the unsharded result', async () => {
    const common = ['--model', 'lvr', '--benchmark', 'synthetic', '--data', 'suite', '--strategy', 'fixed:2:force-end', '--json'];
    const first = JSON.parse(await run(['eval', ...common, '--out', 'all.jsonl'])) as { evaluated: number; report: { metrics: { metric: string }[] } };
    expect(first.evaluated).toBe(8);
    expect(first.report.metrics.map((m) => m.metric)).toContain('synthetic/overall');
    const again = JSON.parse(await run(['eval', ...common, '--out', 'all.jsonl'])) as { evaluated: number; reused: number };
    expect(again).toMatchObject({ evaluated: 0, reused: 8 });
    await run(['eval', ...common, '--out', 's1.jsonl', '--shard', '1/2']);
    await run(['eval', ...common, '--out', 's2.jsonl', '--shard', '2/2']);
    await run(['eval', 'merge', 'merged.jsonl', 's1.jsonl', 's2.jsonl']);
    expect(await letters('merged.jsonl')).toEqual(await letters('all.jsonl'));
  }, 120_000);

  it('evaluates with a stop strategy that a --require module registers', async () => {
    const perSpan = fileURLToPath(new URL('../../../../examples/custom-stop-strategy/per-span.mjs', import.meta.url));
    const args = ['--model', 'lvr', '--benchmark', 'synthetic', '--data', 'suite', '--require', perSpan, '--strategy', 'per-span:1'];
    args.push('--json');
    const res = JSON.parse(await run(['eval', ...args, '--out', 'per-span.jsonl'])) as { evaluated: number };
    expect(res.evaluated).toBe(8);
    const lines = (await readFile(join(dir, 'per-span.jsonl'), 'utf8')).trim().split('\n');
    const records = lines.map((l) => JSON.parse(l) as { strategy: string; latentSteps: number; stopReasons: string[] });
    for (const r of records) {
      expect(r.strategy).toBe('per-span');
      expect(r.latentSteps).toBeLessThanOrEqual(r.stopReasons.length); // at most 1 step per span
    }
  }, 120_000);

  it('exports to ONNX and the ONNX backend gives the same answer and trace as tfjs', async () => {
    await run(['export', 'onnx', '--model', 'lvr', '--out', 'lvr-onnx']);
    for (const f of ['onnx/embed_tokens.onnx', 'onnx/vision_encoder.onnx', 'onnx/decoder_model_merged.onnx', 'tokenizer.json', 'preprocessor_config.json']) await access(join(dir, 'lvr-onnx', f));
    const img = join('suite', 'images', (await readdir(join(dir, 'suite', 'images')))[0]!);
    const ask = ['--image', img, '--question', 'what colour is the small circle ?', '--strategy', 'fixed:3', '--max-new-tokens', '12', '--json'];
    const tfjs = JSON.parse(await run(['infer', '--model', 'lvr', ...ask])) as { answer: string; trace: unknown; backend: string };
    const onnx = JSON.parse(await run(['infer', '--model', 'lvr-onnx', '--backend', 'onnx', ...ask])) as { answer: string; trace: unknown; backend: string };
    expect(onnx.backend).toBe('onnxruntime-node');
    expect(onnx.answer).toBe(tfjs.answer);
    expect(onnx.trace).toEqual(tfjs.trace);
  }, 120_000);

  it('runs a short GRPO_latent stage and writes its reward curve', async () => {
    const out = await run(['rl', '--model', 'lvr', '--data', 'suite', '--out', 'rl', '--steps', '2', '--group', '2', '--prompts', '1', '--json']);
    expect(out.length).toBeGreaterThan(0);
    for (const f of ['metrics.jsonl', 'reward_curve.png', 'model.safetensors']) await access(join(dir, 'rl', f));
    const m = (await readFile(join(dir, 'rl', 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    expect(m.length).toBe(2);
    expect(m[0]!['replay/max_abs_logp_diff']).toBeLessThanOrEqual(1e-4);
  }, 120_000);
});

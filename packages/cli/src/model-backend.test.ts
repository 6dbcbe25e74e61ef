import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSuite } from '@lvr/data';
import { runCli } from './cli.js';
import { memoryIo } from './io.js';
import { openModel } from './model-backend.js';

let dir: string;
const run = async (args: string[]): Promise<string> => {
  const io = memoryIo(dir);
  const code = await runCli(args, io);
  expect(code, io.err()).toBe(0);
  return io.out();
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-cli-feedback-'));
  await generateSuite({ outDir: join(dir, 'suite'), seed: 1, trainCount: 4, testCount: 2 });
  await run(['train', '--mode', 'base', '--data', 'suite', '--out', 'base', '--steps', '1', '--batch', '2', '--size', 'tiny', '-q']);
  await run(['train', '--mode', 'lvr', '--base', 'base', '--data', 'suite', '--out', 'pause', '--steps', '1', '--batch', '2', '--feedback', 'pause', '--pause-tokens', '2', '-q']);
  await run(['export', 'onnx', '--model', 'pause', '--out', 'pause-onnx', '-q']);
}, 180_000);
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('openModel: the latent feedback of a model folder', () => {
  it('pause: tfjs reads lvr_pause_emb from model.safetensors, onnx from pause_embeddings.safetensors — the same table', async () => {
    const tfjs = await openModel(join(dir, 'pause'), 'tfjs');
    const onnx = await openModel(join(dir, 'pause-onnx'), 'onnx');
    try {
      expect(tfjs.feedback.kind).toBe('pause');
      const table = (tfjs.feedback as { table: Float32Array }).table;
      expect(table.length).toBe(2 * tfjs.stepModel.hiddenSize);
      expect(onnx.feedback).toEqual({ kind: 'pause', table });
      expect(await readdir(join(dir, 'pause-onnx'))).toContain('pause_embeddings.safetensors');
    } finally {
      await tfjs.dispose();
      await onnx.dispose();
    }
    // lvr infer reports the kind and gives the same answer on both backends
    const img = join('suite', 'images', (await readdir(join(dir, 'suite', 'images')))[0]!);
    const infer = async (model: string, backend: string): Promise<{ feedback: string; trace: { outputIds: number[] } }> =>
      JSON.parse(await run(['infer', '--model', model, '--backend', backend, '--image', img, '--question', 'what colour is the small circle ?', '--strategy', 'fixed:2', '--max-new-tokens', '8', '--json'])) as never;
    const [a, b] = [await infer('pause', 'tfjs'), await infer('pause-onnx', 'onnx')];
    expect(a.feedback).toBe('pause');
    expect(b.feedback).toBe('pause');
    expect(b.trace.outputIds).toEqual(a.trace.outputIds);
  }, 120_000);

  it('absent lvr_training.json → hidden; an unknown latent_feedback → a CONFIG_INVALID naming the file', async () => {
    const base = await openModel(join(dir, 'base'), 'tfjs');
    expect(base.feedback).toEqual({ kind: 'hidden' });
    await base.dispose();
    await writeFile(join(dir, 'base', 'lvr_training.json'), JSON.stringify({ mode: 'lvr', latent_feedback: 'nearest' }));
    await expect(openModel(join(dir, 'base'), 'tfjs')).rejects.toThrow(/lvr_training.json: "latent_feedback" must be/);
  }, 60_000);
});

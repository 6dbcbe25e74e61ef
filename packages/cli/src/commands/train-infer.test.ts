import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSuite } from '@lvr/data';
import { runCli } from '../cli.js';
import { DEFAULT_CHECKPOINT_EVERY } from './train.js';
import { memoryIo } from '../io.js';

interface InferJson {
  mode: string;
  text: string;
  strategy: unknown;
  trace: { spans: { steps: number }[]; outputIds: number[]; latentPositions: number[] };
}

/** `text` shows every span with latent steps as `[N latent step(s)]` and nothing sampled at its positions. */
function expectLatentStepsInText(res: InferJson): void {
  const marks = [...res.text.matchAll(/\[(\d+) latent steps?\]/g)].map((m) => Number(m[1]));
  expect(marks).toEqual(res.trace.spans.filter((s) => s.steps > 0).map((s) => s.steps));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-cli-train-'));
  await generateSuite({ outDir: join(dir, 'suite'), seed: 1, trainCount: 8, testCount: 4 });
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('lvr train and lvr infer', () => {
  it('trains a tiny base and an LVR model, then answers a question with a JSON trace', async () => {
    const io = memoryIo(dir);
    expect(await runCli(['train', '--mode', 'base', '--data', 'suite', '--out', 'base', '--steps', '2', '--batch', '2', '--size', 'tiny', '--json'], io)).toBe(0);
    const base = JSON.parse(io.out()) as { steps: number; mode: string };
    expect(base).toMatchObject({ steps: 2, mode: 'base' });
    const io2 = memoryIo(dir);
    expect(await runCli(['train', '--mode', 'lvr', '--base', 'base', '--data', 'suite', '--out', 'lvr', '--steps', '2', '--batch', '2'], io2)).toBe(0);
    expect(io2.out()).toMatch(/trained lvr for 2 steps/);
    expect(await readdir(join(dir, 'lvr'))).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json', 'metrics.jsonl', 'lvr_training.json']));
    const img = (await readdir(join(dir, 'suite', 'images')))[0]!;
    const io3 = memoryIo(dir);
    expect(await runCli(['infer', '--model', 'lvr', '--image', join('suite', 'images', img), '--question', 'what colour is the small circle ?', '--strategy', 'fixed:3', '--max-new-tokens', '12', '--json'], io3)).toBe(0);
    const res = JSON.parse(io3.out()) as InferJson;
    expect(res.mode).toBe('lvr');
    expect(res.trace.outputIds.length).toBeGreaterThan(0);
    for (const s of res.trace.spans) expect(s.steps).toBeLessThanOrEqual(3);
    expectLatentStepsInText(res);
    // Without --strategy: the one default, as in lvr eval (8 steps, then a forced <|lvr_end|>).
    const io4 = memoryIo(dir);
    const ask = ['infer', '--model', 'lvr', '--image', join('suite', 'images', img), '--question', 'what colour is the small circle ?'];
    ask.push('--json');
    expect(await runCli([...ask, '--max-new-tokens', '12'], io4)).toBe(0);
    const dflt = JSON.parse(io4.out()) as InferJson;
    expect(dflt.strategy).toEqual({ kind: 'fixed', steps: 8, forceEnd: true });
    expectLatentStepsInText(dflt);
    // A strategy registered by a --require module (docs: packages/cli/README.md).
    const io5 = memoryIo(dir);
    const perSpan = fileURLToPath(new URL('../../../../examples/custom-stop-strategy/per-span.mjs', import.meta.url));
    expect(await runCli([...ask, '--require', perSpan, '--strategy', 'per-span:2:1', '--max-new-tokens', '16'], io5), io5.err()).toBe(0);
    const custom = JSON.parse(io5.out()) as InferJson;
    expect(custom.strategy).toEqual({ kind: 'per-span', first: 2, later: 1 });
    custom.trace.spans.forEach((s, i) => expect(s.steps).toBeLessThanOrEqual(i === 0 ? 2 : 1));
  });

  it('checkpoints fine-tuning periodically by default so a killed run can resume (issue 14 item 9)', async () => {
    expect(DEFAULT_CHECKPOINT_EVERY).toBeGreaterThan(0);
    const io = memoryIo(dir);
    expect(await runCli(['train', '--mode', 'base', '--data', 'suite', '--out', 'ck-base', '--steps', '1', '--batch', '2', '--size', 'tiny', '-q'], io), io.err()).toBe(0);
    // Fine-tuning honours --checkpoint-every (it used to apply to --mode base only) …
    const io2 = memoryIo(dir);
    expect(await runCli(['train', '--mode', 'sft', '--base', 'ck-base', '--data', 'suite', '--out', 'ck-sft', '--steps', '4', '--batch', '2', '--checkpoint-every', '2', '-q'], io2), io2.err()).toBe(0);
    expect((await readdir(join(dir, 'ck-sft'))).filter((f) => f.startsWith('checkpoint-')).sort()).toEqual(['checkpoint-2', 'checkpoint-4']);
    // … a later run resumes from one (the step count continues from the checkpoint) …
    const io3 = memoryIo(dir);
    expect(await runCli(['train', '--mode', 'sft', '--base', 'ck-base', '--data', 'suite', '--out', 'ck-sft2', '--steps', '4', '--batch', '2', '--resume', join('ck-sft', 'checkpoint-2'), '--json'], io3), io3.err()).toBe(0);
    expect(JSON.parse(io3.out())).toMatchObject({ steps: 4 });
    // … and 0 checkpoints only at the end.
    const io4 = memoryIo(dir);
    expect(await runCli(['train', '--mode', 'sft', '--base', 'ck-base', '--data', 'suite', '--out', 'ck-end', '--steps', '3', '--batch', '2', '--checkpoint-every', '0', '-q'], io4), io4.err()).toBe(0);
    expect((await readdir(join(dir, 'ck-end'))).filter((f) => f.startsWith('checkpoint-'))).toEqual(['checkpoint-3']);
  }, 120_000);

  it('reports usage errors with exit code 2', async () => {
    const io = memoryIo(dir);
    expect(await runCli(['train', '--mode', 'nope', '--data', 'suite', '--out', 'x'], io)).toBe(2);
    expect(io.err()).toMatch(/--mode must be one of/);
    const io2 = memoryIo(dir);
    expect(await runCli(['infer', '--model', 'lvr'], io2)).toBe(2);
    const io3 = memoryIo(dir);
    expect(await runCli(['infer', '--model', 'lvr', '--image', 'x.png', '--question', 'q', '--strategy', 'bogus:1'], io3)).toBe(2); // an unknown strategy is a usage mistake (issue 14 item 10)
    expect(io3.err()).toMatch(/bogus/);
  });
});

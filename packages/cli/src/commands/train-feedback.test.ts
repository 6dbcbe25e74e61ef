import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { memoryIo } from '../io.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-train-feedback-'));
  expect(await runCli(['synth', '--out', join(dir, 'suite'), '--train', '4', '--test', '2', '-q'], memoryIo(dir))).toBe(0);
  const io = memoryIo(dir);
  expect(await runCli(['train', '--mode', 'base', '--data', join(dir, 'suite'), '--out', join(dir, 'base'), '--size', 'tiny', '--steps', '1', '--batch', '2', '-q'], io), io.err()).toBe(0);
}, 120_000);
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('lvr train --feedback', () => {
  it('fine-tunes a Pause-K arm from a base without pause vectors and records the kind', async () => {
    const io = memoryIo(dir);
    const out = join(dir, 'pause');
    const code = await runCli(['train', '--mode', 'lvr', '--base', join(dir, 'base'), '--data', join(dir, 'suite'), '--out', out, '--steps', '1', '--batch', '2', '--feedback', 'pause', '--pause-tokens', '2', '-q'], io);
    expect(code, io.err()).toBe(0);
    expect(JSON.parse(await readFile(join(out, 'lvr_training.json'), 'utf8'))).toMatchObject({ latent_feedback: 'pause' });
    expect(JSON.parse(await readFile(join(out, 'config.json'), 'utf8'))).toMatchObject({ lvr_pause_tokens: 2 });
  }, 60_000);

  it('passes --hop-lambda and --hop-ramp to a pointer arm and rejects bad feedback flags with exit 2', async () => {
    const out = join(dir, 'mix');
    const io = memoryIo(dir);
    expect(await runCli(['train', '--mode', 'lvr', '--base', join(dir, 'base'), '--data', join(dir, 'suite'), '--out', out, '--steps', '1', '--batch', '2', '--feedback', 'pointer-mix', '--hop-lambda', '0.25', '--hop-ramp', '0.3,0.5', '-q'], io), io.err()).toBe(0);
    expect(JSON.parse(await readFile(join(out, 'lvr_training.json'), 'utf8'))).toMatchObject({ latent_feedback: 'pointer-mix', objective: { hopLambda: 0.25, lvrLambda: 0, hopRamp: [0.3, 0.5] } });
    const bad = async (args: string[], word: string): Promise<void> => {
      const e = memoryIo(dir);
      expect(await runCli(['train', '--base', join(dir, 'base'), '--data', join(dir, 'suite'), '--out', join(dir, 'x'), ...args], e)).toBe(2);
      expect(e.err()).toContain(word);
    };
    await bad(['--mode', 'lvr', '--feedback', 'argmax'], '--feedback');
    await bad(['--mode', 'sft', '--feedback', 'pause'], '--feedback');
    await bad(['--mode', 'lvr', '--feedback', 'pointer-mix', '--pause-tokens', '2'], '--pause-tokens');
    await bad(['--mode', 'lvr', '--feedback', 'pointer-argmax', '--hop-ramp', '0.5,0.2'], '--hop-ramp');
  }, 60_000);
});

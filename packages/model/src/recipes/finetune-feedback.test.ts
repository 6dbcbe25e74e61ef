import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { generateSuite } from '@lvr/data';
import { initBackend } from '../backend.js';
import { maxAbsDiff } from '../testing.js';
import { param } from '../models/params.js';
import { PAUSE_EMBEDDING_PARAM } from '../models/pause-embedding.js';
import { pretrainBase } from './pretrain.js';
import { finetune } from './finetune.js';
import { loadModel, saveModel, TRAINING_INFO_FILE } from './model-io.js';

let dir = '';
let suite = '';
let base = '';
beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'lvr-feedback-'));
  suite = join(dir, 'suite');
  base = join(dir, 'base');
  const s = await generateSuite({ outDir: suite, seed: 4, trainCount: 8, testCount: 2 });
  const r = await pretrainBase({ size: 'tiny', batchSize: 4, numLatents: 4, caption: { maxObjects: 4 }, trainer: { lossCurve: false }, tokenizerPath: s.paths.tokenizer, outDir: base, steps: 1 });
  r.model.dispose();
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const common = { data: '', steps: 2, batchSize: 4, latentCount: 2, trainer: { lossCurve: false, logEvery: 1 } } as const;

describe('fine-tuning with a latent feedback arm', () => {
  it('pause: a base without lvr_pause_emb gets a fresh table, trained, saved and read back with latent_feedback', async () => {
    const before = await loadModel(base);
    expect(before.latentFeedback).toBe('hidden'); // no lvr_training.json field → the reference
    expect(before.model.params.has(PAUSE_EMBEDDING_PARAM)).toBe(false);
    let saveErr: unknown;
    try { await saveModel(join(dir, 'nopause'), before.model, before.tokenizerJson, { mode: 'lvr', latent_feedback: 'pause' }); } catch (e) { saveErr = e; }
    expect(isLvrError(saveErr) && saveErr.code === 'CONFIG_INVALID' && /lvr_pause_emb/.test(saveErr.message)).toBe(true);
    before.model.dispose();
    const out = join(dir, 'pause');
    const r = await finetune({ ...common, data: suite, mode: 'lvr', baseDir: base, outDir: out, latentFeedback: 'pause', pauseTokens: 3 });
    expect(r.model.config.lvr.pauseTokens).toBe(3);
    const trained = param(r.model.params, PAUSE_EMBEDDING_PARAM).dataSync().slice();
    r.model.dispose();
    expect(r.train.history.every((m) => m['loss/lvr'] === undefined && m['loss/hop'] === undefined)).toBe(true);
    const info = JSON.parse(await readFile(join(out, TRAINING_INFO_FILE), 'utf8')) as Record<string, unknown>;
    expect(info.latent_feedback).toBe('pause');
    const cfg = JSON.parse(await readFile(join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(cfg.lvr_pause_tokens).toBe(3);
    const loaded = await loadModel(out);
    expect(loaded.latentFeedback).toBe('pause');
    expect(loaded.model.config.lvr.pauseTokens).toBe(3);
    expect(maxAbsDiff(param(loaded.model.params, PAUSE_EMBEDDING_PARAM).dataSync(), trained)).toBe(0);
    loaded.model.dispose();
    // A bad kind in the file is a clear error naming the field.
    await writeFile(join(out, TRAINING_INFO_FILE), JSON.stringify({ ...info, latent_feedback: 'argmax' }));
    let err: unknown;
    try { await loadModel(out); } catch (e) { err = e; }
    expect(isLvrError(err) && err.code === 'CONFIG_INVALID' && /latent_feedback/.test(err.message)).toBe(true);
  });

  it('pointer-mix and pointer-argmax: hop CE and accuracy are logged, the kind is saved', async () => {
    for (const kind of ['pointer-mix', 'pointer-argmax'] as const) {
      const out = join(dir, kind);
      const r = await finetune({ ...common, data: suite, mode: 'lvr', baseDir: base, outDir: out, latentFeedback: kind, hopLambda: 0.5 });
      r.model.dispose();
      for (const m of r.train.history) {
        expect(Number.isFinite(m['loss/hop'] as number)).toBe(true);
        expect(m['hop/acc'] as number).toBeGreaterThanOrEqual(0);
      }
      const info = JSON.parse(await readFile(join(out, TRAINING_INFO_FILE), 'utf8')) as { latent_feedback: string; objective: Record<string, unknown> };
      expect(info.latent_feedback).toBe(kind);
      expect(info.objective).toMatchObject({ latentFeedback: kind, hopLambda: 0.5, lvrLambda: 0 });
    }
    let err: unknown;
    try { await finetune({ ...common, data: suite, mode: 'lvr', baseDir: base, outDir: join(dir, 'bad'), latentFeedback: 'pointer-mix', pauseTokens: 2 }); } catch (e) { err = e; }
    expect(isLvrError(err) && err.code === 'CONFIG_INVALID').toBe(true);
  });
});

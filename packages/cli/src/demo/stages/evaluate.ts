import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic, type Logger } from '@lvr/core';
import { loadAndPreprocessImage, loadImage, resolvePreprocessOptions } from '@lvr/data';
import type { StopStrategyConfig } from '@lvr/decoding';
import {
  cosineToRows, evaluateItems, loadSyntheticSuite, latentHeatmapPng, pairedDifferenceCi, summarizeRecords, strategyName,
  type EvalMethod, type EvalRecord, type McqItem, type ProbeKind, type ProbeRow, type ReportRow,
} from '@lvr/eval';
import { initBackend } from '@lvr/model';
import { openModel, type OpenedModel } from '../../model-backend.js';
import { demoConfig } from '../config.js';
import type { DemoContext, DemoStage, StageOutput } from '../pipeline.js';

/** Mean cosine between the first fed latents of consecutive items: near 1 means the latents ignore the image. */
export function meanNeighbourCosine(vs: readonly (Float32Array | undefined)[]): number | undefined {
  let sum = 0, n = 0;
  for (let i = 0; i + 1 < vs.length; i++) {
    const a = vs[i], b = vs[i + 1];
    if (!a || !b) continue;
    let d = 0, na = 0, nb = 0;
    for (let j = 0; j < a.length; j++) { d += a[j]! * b[j]!; na += a[j]! ** 2; nb += b[j]! ** 2; }
    sum += d / (Math.sqrt(na * nb) + 1e-12);
    n++;
  }
  return n > 0 ? sum / n : undefined;
}

interface EvalJob {
  name: string;
  model: string;
  method: EvalMethod;
  strategy?: StopStrategyConfig;
  probe?: ProbeKind;
}

async function cached(path: string, n: number): Promise<EvalRecord[] | undefined> {
  try {
    const recs = (await readFile(path, 'utf8')).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as EvalRecord);
    return recs.length === n ? recs : undefined;
  } catch {
    return undefined;
  }
}

function label(model: string, strategy: string, probe?: ProbeKind): string {
  const m = { base: 'Base', sft: 'SFT', lvr: 'LVR', livr: 'LIVR', 'lvr+rl': 'LVR + RL' }[model] ?? model;
  return `${m}${strategy !== '-' ? ` (${strategy})` : ''}${probe && probe !== 'none' ? ` [${probe}]` : ''}`;
}

async function heatmaps(dir: string, items: readonly McqItem[], opened: OpenedModel, latents: ReadonlyMap<string, Float32Array[]>, merge: number, log: Logger): Promise<string[]> {
  const sm = opened.stepModel;
  if (!sm.encodeImages) return [];
  const out: string[] = [];
  const picks = ['attribute', 'position', 'count', 'pair'].map((t) => items.find((it) => it.category === t && (latents.get(it.id)?.length ?? 0) > 0)).filter((x): x is McqItem => x !== undefined);
  for (const it of picks) {
    const ref = it.images[0];
    if (!ref || ref.kind !== 'file') continue;
    const img = await loadImage(ref.path);
    const p = await loadAndPreprocessImage(ref.path, opened.preprocess);
    const tokens = await sm.encodeImages([{ pixelValues: p.pixelValues, gridThw: p.gridThw }]);
    const first = latents.get(it.id)![0]!;
    const grid = { h: p.gridThw.h / merge, w: p.gridThw.w / merge };
    const png = await latentHeatmapPng({ image: img, roi: it.roi, similarity: cosineToRows(first, tokens, sm.hiddenSize), grid, scale: 4 });
    const file = join(dir, `heatmap-${it.category}.png`);
    await writeFileAtomic(file, png);
    out.push(file);
  }
  log.info('heatmaps written', { count: out.length });
  return out;
}

/**
 * Evaluation runs on ONNX Runtime when it loads (5–12× faster prefill than tfjs-wasm here): the model is
 * exported next to its checkpoint (`<dir>/onnx-export`) and opened there; otherwise on tfjs. The report names
 * the backend of every number.
 */
async function openForEval(dir: string, ctx: DemoContext): Promise<OpenedModel> {
  if (process.env.LVR_DEMO_BACKEND !== 'tfjs') {
    try {
      const onnx = await import('@lvr/model/onnx');
      const out = join(dir, 'onnx-export');
      await onnx.exportOnnx(dir, out);
      return await openModel(out, 'onnx');
    } catch (e) {
      ctx.log.warn('ONNX Runtime unavailable, evaluating on tfjs', { reason: (e as Error).message });
    }
  }
  return openModel(dir, 'tfjs');
}

/**
 * Demo stage: evaluates base, SFT, LVR (fixed 4/8/16 and the other stop strategies) and LIVR on the suite's test
 * set with the constrained word protocol, then the latent-reliance probes. Results per configuration go to
 * `eval/<name>.jsonl` (a rerun reuses complete files); `eval/summary.json` holds the rows and probe drops.
 */
export const evalStage: DemoStage = {
  name: 'eval',
  description: 'evaluate every model and strategy, then the latent-reliance probes',
  requires: ['suiteDir', 'baseDir', 'sftDir', 'lvrDir', 'livrDir'],
  // rlDir is optional: LVR + RL is evaluated when the run has an RL stage
  provides: ['evalDir', 'evalSummary'],
  async run(ctx: DemoContext): Promise<StageOutput> {
    const cfg = demoConfig(ctx.full);
    await initBackend();
    const evalDir = join(ctx.outDir, 'eval');
    await mkdir(evalDir, { recursive: true });
    const items = await loadSyntheticSuite(ctx.artifacts.suiteDir as string);
    const jobs: EvalJob[] = [
      { name: 'base', model: 'base', method: 'base' },
      { name: 'sft', model: 'sft', method: 'sft' },
      ...cfg.fixedSteps.map((n): EvalJob => ({ name: `lvr-fixed${n}`, model: 'lvr', method: 'lvr', strategy: { kind: 'fixed', steps: n, forceEnd: true } })),
      { name: 'lvr-mode-switch', model: 'lvr', method: 'lvr', strategy: { kind: 'mode-switch', maxSteps: 16 } },
      { name: 'lvr-converge', model: 'lvr', method: 'lvr', strategy: { kind: 'converge', threshold: 0.99, maxSteps: 16 } as StopStrategyConfig },
      { name: 'livr', model: 'livr', method: 'livr' },
      ...(ctx.artifacts.rlDir ? [{ name: 'lvr-rl-fixed8', model: 'lvr+rl', method: 'lvr', strategy: { kind: 'fixed', steps: 8, forceEnd: true } } satisfies EvalJob] : []),
    ];
    const probeStrategy: StopStrategyConfig = { kind: 'fixed', steps: 8, forceEnd: true };
    const probeJobs: EvalJob[] = [
      ...(['zeros', 'noise', 'shuffle', 'skip'] as const).map((p): EvalJob => ({ name: `lvr-fixed8-${p}`, model: 'lvr', method: 'lvr', strategy: probeStrategy, probe: p })),
      ...(['zeros', 'skip', 'bottleneck'] as const).map((p): EvalJob => ({ name: `livr-${p}`, model: 'livr', method: 'livr', probe: p })),
    ];
    const dirs: Record<string, string> = { base: ctx.artifacts.baseDir!, sft: ctx.artifacts.sftDir!, lvr: ctx.artifacts.lvrDir!, livr: ctx.artifacts.livrDir!, ...(ctx.artifacts.rlDir ? { 'lvr+rl': ctx.artifacts.rlDir } : {}) };
    const records = new Map<string, EvalRecord[]>();
    const rows: ReportRow[] = [];
    const probes: ProbeRow[] = [];
    const figures: string[] = [];
    const backends = new Set<string>();
    let latentSimilarity: number | undefined;
    for (const model of Object.keys(dirs)) {
      const opened = await openForEval(dirs[model]!, ctx);
      const method: EvalMethod = model === 'lvr+rl' ? 'lvr' : (model as EvalMethod);
      const evalModel = { stepModel: opened.stepModel, tokenizer: opened.tokenizer, preprocess: opened.preprocess, method, numLatents: cfg.livrLatents };
      const merge = resolvePreprocessOptions(opened.preprocess).mergeSize;
      let reference: Map<string, Float32Array[]> | undefined;
      for (const job of [...jobs, ...probeJobs].filter((j) => j.model === model)) {
        const file = join(evalDir, `${job.name}.jsonl`);
        let recs = await cached(file, items.length);
        if (!recs || (job.model === 'lvr' && job.name === 'lvr-fixed8')) {
          if (job.probe === 'shuffle' && !reference) throw new Error('internal: shuffle before the normal run');
          const res = await evaluateItems(evalModel, items, { strategy: job.strategy, probe: job.probe, reference, batchSize: cfg.evalBatch, seed: ctx.seed, onProgress: ctx.onProgress });
          recs = res.records;
          if (job.name === 'lvr-fixed8') {
            reference = res.latents;
            latentSimilarity = meanNeighbourCosine(items.map((it) => res.latents.get(it.id)?.[0]));
            figures.push(...(await heatmaps(evalDir, items, opened, res.latents, merge, ctx.log)));
          }
          await writeFileAtomic(file, recs.map((r) => JSON.stringify(r)).join('\n') + '\n');
        }
        records.set(job.name, recs);
        const strategy = strategyName(job.strategy, job.method);
        if (!job.probe) rows.push(summarizeRecords(recs, { label: label(job.model, strategy), model: job.model, backend: opened.backend, seed: ctx.seed }));
      }
      backends.add(opened.backend);
      await opened.dispose();
    }
    for (const job of probeJobs) {
      const normal = records.get(job.model === 'lvr' ? 'lvr-fixed8' : 'livr')!;
      const probed = records.get(job.name)!;
      const byId = new Map(probed.map((r) => [r.id, r.correct]));
      const a = normal.map((r) => r.correct);
      const b = normal.map((r) => byId.get(r.id) ?? false);
      const acc = summarizeRecords(probed, { label: job.name, model: job.model, backend: [...backends].join(', '), seed: ctx.seed }).overall;
      probes.push({ model: label(job.model, '-'), strategy: strategyName(job.strategy, job.method), probe: job.probe!, accuracy: acc, drop: pairedDifferenceCi(a, b, { seed: ctx.seed }) });
    }
    const summary = join(evalDir, 'summary.json');
    await writeJsonAtomic(summary, { backend: [...backends].join(', '), items: items.length, rows, probes, figures, latentSimilarity });
    const best = [...rows].sort((x, y) => y.overall.value - x.overall.value)[0];
    return { artifacts: { evalDir, evalSummary: summary }, summary: { configs: rows.length, probes: probes.length, best: `${best?.label} ${(100 * (best?.overall.value ?? 0)).toFixed(1)}%` } };
  },
};

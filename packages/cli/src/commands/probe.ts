import type { RgbImage } from '@lvr/data';
import type { VisualProbeReport } from '@lvr/eval';
import { LvrError } from '@lvr/core';
import { openModel, BACKENDS } from '../model-backend.js';
import { UsageError, intOption, pathOption, type ParsedValues } from '../args.js';
import type { Command, CommandContext } from './command.js';

const fmt = (x: number | null | undefined): string => (x === null || x === undefined ? 'n/a' : x.toFixed(3));

/**
 * `lvr probe --model DIR`: how well the model's merged visual tokens encode what is in their cell — linear probes
 * (softmax regression, `@lvr/eval` `fitLinearProbe`) from each token to the colour, shape and size of its cell's
 * object, and which cell is marked, fitted on held-out grid (and free) scenes and scored on other scenes.
 *
 * @example
 * // lvr probe --model models/base --json   → {"colour":0.95,"shape":0.93,"size":0.98,"marked":0.9,"n":3200,…}
 */
export const probeCommand: Command = {
  name: 'probe',
  summary: 'linear probes of the visual tokens: colour, shape, size and marker of each cell',
  help: [
    'Usage: lvr probe --model DIR [--scenes N] [--fit-scenes N] [--seed N] [--no-free] [--backend tfjs|onnx] [--json]',
    '',
    'Encodes seeded grid scenes (one large object per 16-px cell = one merged visual token, one marked) and free',
    'scenes (3–10 objects of both sizes), fits a softmax probe per attribute on the tokens of --fit-scenes scenes',
    '(default 300) and scores it on --scenes other scenes (default 200). Prints fractions of held-out cells;',
    "`marked` = scenes whose highest-scoring cell is the marked one. The top-level figures are the grid scenes'",
    '(size comes from free scenes: every grid object is large).',
  ].join('\n'),
  options: {
    model: { type: 'string', valueName: 'DIR', description: 'model folder' },
    scenes: { type: 'string', valueName: 'N', description: 'held-out scenes scored per layout (default 200)' },
    'fit-scenes': { type: 'string', valueName: 'N', description: 'scenes the probes are fitted on per layout (default 300)' },
    seed: { type: 'string', valueName: 'N', description: 'scene seed (default 0)' },
    'no-free': { type: 'boolean', description: 'probe grid scenes only' },
    backend: { type: 'string', valueName: 'NAME', description: 'tfjs | onnx (default tfjs)' },
  },
  async run(values: ParsedValues, ctx: CommandContext): Promise<number> {
    const dir = pathOption(values, 'model', ctx.io.cwd);
    if (!dir) throw new UsageError('--model DIR is required');
    const testScenes = intOption(values, 'scenes', 1, 100_000) ?? 200;
    const fitScenes = intOption(values, 'fit-scenes', 1, 100_000) ?? 300;
    const seed = intOption(values, 'seed', 0, 0xfffffff0) ?? 0;
    const backend = typeof values.backend === 'string' ? values.backend : 'tfjs';
    if (!(BACKENDS as readonly string[]).includes(backend)) throw new UsageError(`--backend must be ${BACKENDS.join(' or ')}`);
    const [{ patchifyRgb, resolvePreprocessOptions }, { runVisualProbe }] = await Promise.all([import('@lvr/data'), import('@lvr/eval')]);
    const opened = await openModel(dir, backend);
    let report: VisualProbeReport;
    try {
      const sm = opened.stepModel;
      const encodeImages = sm.encodeImages?.bind(sm);
      if (!encodeImages) throw new LvrError('UNSUPPORTED', `${dir}: this backend cannot return visual tokens`);
      const pre = resolvePreprocessOptions(opened.preprocess);
      const encode = async (images: readonly RgbImage[]): Promise<Float32Array> => {
        const parts: Float32Array[] = [];
        for (let i = 0; i < images.length; i += 50) {
          parts.push(await encodeImages(images.slice(i, i + 50).map((img) => ({
            pixelValues: patchifyRgb(img, pre), gridThw: { t: 1, h: img.height / pre.patchSize, w: img.width / pre.patchSize },
          }))));
        }
        const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
        let off = 0;
        for (const p of parts) { out.set(p, off); off += p.length; }
        return out;
      };
      report = await runVisualProbe({ dim: sm.hiddenSize, encode }, { fitScenes, testScenes, seed, free: values['no-free'] !== true });
    } finally {
      await opened.dispose();
    }
    if (ctx.json) ctx.io.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      ctx.io.stdout.write(`visual-token probes of ${dir} (${opened.backend}; fitted on ${fitScenes} scenes, scored on ${testScenes} others)\n`);
      const g = report.grid;
      ctx.io.stdout.write(`  grid : colour ${fmt(g.colour)}  shape ${fmt(g.shape)}  marked ${fmt(g.marked)}  cell ${fmt(g.cell)}  (n ${g.n} cells)\n`);
      const f = report.free;
      if (f) ctx.io.stdout.write(`  free : colour ${fmt(f.colour)}  shape ${fmt(f.shape)}  size ${fmt(f.size)}  marked ${fmt(f.marked)}  cell ${fmt(f.cell)}  (n ${f.n} cells)\n`);
    }
    return 0;
  },
};

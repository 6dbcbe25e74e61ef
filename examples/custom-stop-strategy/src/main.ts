import { pathToFileURL } from 'node:url';
import { generate, type GenerateResult } from '@lvr/decoding';
import { ScriptedStepModel, STUB_TOKENS } from '@lvr/decoding/testing';
import { strategyFromCli } from './norm-drop.js';

const { lvrStartId: S, lvrEndId: E, eosId: EOS } = STUB_TOKENS;

/**
 * Runs `norm-drop` against the scripted stub model: its hidden state at position q has norm 4 · 0.6^(q − 3), so the
 * latents fed after `<|lvr_start|>` (at position 3) shrink step by step until one falls below the threshold.
 */
export async function runExample(spec = 'norm-drop:0.5'): Promise<GenerateResult[]> {
  const model = new ScriptedStepModel({
    scripts: [[S, 10, 11, 12, 13, 14, 15, E, 16, EOS], [16, S, 10, 11, 12, 13, 14, 15, E, EOS]],
    hidden: ({ position }) => {
      const norm = 4 * 0.6 ** (position - 3);
      return Float32Array.of(norm * Math.cos(position), norm * Math.sin(position), 0, 0);
    },
  });
  return generate(model, [
    { prompt: { inputIds: Int32Array.of(20, 21, 22) }, seed: 1 },
    { prompt: { inputIds: Int32Array.of(23, 24) }, seed: 2 },
  ], { strategy: strategyFromCli(spec), maxNewTokens: 24 });
}

/** One line per generated position: index, token, what was fed; then the span summaries. */
export function formatTrace(r: GenerateResult): string {
  const lines = [`row ${r.row} (prompt ${r.promptLength} tokens, finish: ${r.finishReason})`];
  r.outputIds.forEach((t, j) => lines.push(`  ${String(j).padStart(2)}  token ${String(t).padStart(2)}  fed ${r.inputs[j]}`));
  for (const s of r.latentSpans) {
    const norms = s.vectors.map((v) => Math.hypot(...v).toFixed(3)).join(', ');
    lines.push(`  span at ${s.start}: ${s.steps} steps, stop ${s.stopReason}, fed norms [${norms}]`);
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await runExample(process.argv[2]);
  process.stdout.write(`${results.map(formatTrace).join('\n')}\n`);
}

import { LvrTokenizer, addLivrLatentTokens } from '@lvr/data';
import { MiniQwenVL } from '../models/vlm.js';
import { modelConfigFor } from './model-config.js';
import { saveModel } from './model-io.js';
import { MODEL_SIZES, type ModelSize } from './sizes.js';

/**
 * Writes an untrained, seeded model folder (the same layout as a pre-trained base): the "from scratch" starting
 * point of the perception-free study, where the vision tower is never used and only the language model learns —
 * as in the chase pilot. Deterministic: the same tokenizer, size and seed give the same bytes.
 *
 * @example
 * await initBase({ tokenizerJson: JSON.parse(await readFile('runs/suite/tokenizer.json', 'utf8')), outDir: 'runs/fresh', size: 'base' });
 */
export async function initBase(o: { tokenizerJson: Record<string, unknown>; outDir: string; size?: keyof typeof MODEL_SIZES | ModelSize; seed?: number; numLatents?: number }): Promise<void> {
  const numLatents = o.numLatents ?? 16;
  const tokenizerJson = addLivrLatentTokens(o.tokenizerJson, numLatents);
  const tokenizer = LvrTokenizer.fromJson(tokenizerJson);
  const size = typeof o.size === 'object' ? o.size : MODEL_SIZES[o.size ?? 'demo'];
  const model = MiniQwenVL.create(modelConfigFor(size, tokenizer), { seed: o.seed ?? 0 });
  try {
    await saveModel(o.outDir, model, tokenizerJson, { mode: 'base', steps: 0, numLatents, initialisedOnly: true });
  } finally {
    model.dispose();
  }
}

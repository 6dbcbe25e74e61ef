import { Rng } from '@lvr/core';
import { drawChase, drawMajority, encodePng, renderScene, renderSymbolImage } from '@lvr/data';
import type { McqItem } from '@lvr/eval';
import type { GridTaskSpec, GridView } from '@lvr/model';

/** The name a task's items are reported under (`chase-k3`, `chase-legend-k3`, `majority`). */
export function taskLabel(task: GridTaskSpec, hops?: number): string {
  if (task.kind === 'majority') return 'majority';
  return `chase${task.legend ? '-legend' : ''}-k${hops}`;
}

/**
 * The study's test items for one task and hop count: `count` items drawn from `Rng('test/<label>/<i>')`, so every
 * arm and seed answers the same items (paired comparisons) and adding items never changes the earlier ones. The
 * image is the rendered scene (pixels view) or the board's symbol image (perception-free view), as PNG bytes.
 *
 * @example
 * const items = await gridTestItems({ kind: 'chase', hops: [3], legend: false }, 'symbols', 3, 2000);
 */
export async function gridTestItems(task: GridTaskSpec, view: GridView, hops: number | undefined, count: number): Promise<McqItem[]> {
  const label = taskLabel(task, hops);
  const items: McqItem[] = [];
  for (let i = 0; i < count; i++) {
    const rng = new Rng(`test/${label}/${i}`);
    const it = task.kind === 'chase' ? drawChase(rng, { hops: hops ?? 1, legend: task.legend }) : drawMajority(rng, {});
    const image = view === 'symbols' && 'symbols' in it
      ? renderSymbolImage(it.symbols, it.markedCell)
      : renderScene(it.scene);
    const bytes = await encodePng(image);
    items.push({
      id: `${label}-${i}`, benchmark: 'synthetic', images: [{ kind: 'bytes', bytes, name: `${label}-${i}.png` }],
      question: it.question, options: [...it.options], answer: String.fromCharCode(65 + it.answerIndex), answerWord: it.answerWord,
      category: label, rois: [...it.rois], ...(hops !== undefined ? { hops } : {}),
      ...('counterfactual' in it ? { counterfactual: { rois: [...it.counterfactual.rois], answerWord: it.counterfactual.answerWord } } : {}),
    });
  }
  return items;
}

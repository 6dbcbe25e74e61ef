import { join } from 'node:path';
import { writeFileAtomic } from '@lvr/core';
import { readSyntheticTestSet, renderPreview, type BenchmarkJsonRecord, type PreviewItem } from '@lvr/data';
import type { DemoContext, DemoStage, StageOutput } from '../pipeline.js';

/** Test items shown per task family in the preview (pairs: both images of two pairs). */
export const PREVIEW_ITEMS_PER_TASK = 4;

/** The first `perTask` test items of every task, in test-set order. */
export function pickPreviewItems(items: readonly BenchmarkJsonRecord[], perTask = PREVIEW_ITEMS_PER_TASK): BenchmarkJsonRecord[] {
  const taken = new Map<string, number>();
  return items.filter((it) => {
    const n = taken.get(it.task) ?? 0;
    taken.set(it.task, n + 1);
    return n < perTask;
  });
}

/** The label under a preview image: the question, then the answer word, letter and options. */
export function previewLabel(it: BenchmarkJsonRecord): string {
  return `${it.question}\n→ ${it.answer_word} (${it.answer}) of ${it.options.join(' / ')}`;
}

/**
 * Demo stage 2: draws a contact sheet of test images with their ROI boxes to `<outDir>/preview.png`.
 * Requires `suiteDir`; provides `preview`.
 */
export const previewStage: DemoStage = {
  name: 'preview',
  description: 'draw test images with their ROI boxes',
  requires: ['suiteDir'],
  provides: ['preview'],
  async run(ctx: DemoContext): Promise<StageOutput> {
    const suiteDir = ctx.artifacts.suiteDir!;
    const items = pickPreviewItems(await readSyntheticTestSet(suiteDir));
    const cells: PreviewItem[] = items.map((it) => ({ image: join(suiteDir, it.image), roi: it.roi, label: previewLabel(it) }));
    const png = await renderPreview(cells, { scale: 4, columns: PREVIEW_ITEMS_PER_TASK });
    const file = join(ctx.outDir, 'preview.png');
    await writeFileAtomic(file, png);
    return { artifacts: { preview: file }, summary: { images: cells.length } };
  },
};

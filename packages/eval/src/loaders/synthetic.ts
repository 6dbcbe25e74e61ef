import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SUITE_FILES, readSyntheticTestSet } from '@lvr/data';
import type { McqItem } from '../item.js';
import { ImageFiles } from './images.js';
import type { RawRow } from './location.js';
import { readChainFields } from './chain-fields.js';

/** Options of {@link loadSyntheticSuite}. */
export interface SyntheticLoadOptions {
  /** Check that every image file exists (default `true`). */
  checkImages?: boolean;
}

/**
 * Loads the test set of a synthetic suite folder (`test.jsonl`, written by `generateSuite` of @lvr/data,
 * validated by its `readSyntheticTestSet`). Items keep file order; `category` is the task (`attribute`,
 * `position`, `count`, `pair`), `meta.category` the finer category (e.g. `pair_colour`), `answerWord` the
 * correct option's word (the miniature models answer with the word), `roi` the record's box, `pairId` the
 * record's `pair_id`. The reasoning tasks' optional fields `rois`, `hops` and `counterfactual: { rois, answer_word }`
 * become `rois`, `hops` and `counterfactual` (validated by `readChainFields`). Image paths must stay inside the
 * suite folder.
 *
 * @example
 * const items = await loadSyntheticSuite('runs/demo/suite');
 * items[0].answerWord; // 'red'
 */
export async function loadSyntheticSuite(dir: string, opts: SyntheticLoadOptions = {}): Promise<McqItem[]> {
  const records = await readSyntheticTestSet(dir);
  const images = await ImageFiles.create(dir, opts.checkImages ?? true);
  const file = join(dir, SUITE_FILES.test);
  // Line numbers of the records (readSyntheticTestSet skips blank lines) for the chain fields' messages.
  const lines = (await readFile(file, 'utf8')).split('\n').flatMap((l, i) => (l.trim().length > 0 ? [i + 1] : []));
  const items: McqItem[] = [];
  for (const [k, rec] of records.entries()) {
    const row: RawRow = { loc: { file, row: k }, value: rec as unknown as Record<string, unknown> };
    const chain = readChainFields(row.value, { file, line: lines[k] ?? k + 1 });
    items.push({
      id: rec.id,
      benchmark: 'synthetic',
      images: [await images.file(rec.image, row, 'image')],
      question: rec.question,
      options: [...rec.options],
      answer: rec.answer,
      answerWord: rec.answer_word,
      category: rec.task,
      pairId: rec.pair_id ?? undefined,
      roi: [...rec.roi] as const,
      meta: { category: rec.category },
      ...chain,
    });
  }
  return items;
}

import { LvrError, Rng } from '@lvr/core';
import type { NormalizedBox } from '../roi/box.js';
import type { Scene } from './scene.js';
import { ALL_TASK_KINDS, TASK_KINDS, type PerceptionTaskKind, type TaskCounterfactual, type TaskKind } from './tasks/task-family.js';
import type { ResolvedTaskOptions } from './tasks/task-options.js';
import { getTaskFamily } from './tasks/registry.js';

/** The two splits of the suite. */
export type SuiteSplit = 'train' | 'test';

/** One generated example: a question about one scene, with everything the writers need. */
export interface SyntheticExample {
  /** Unique id, e.g. `"test-attribute-00012"` or `"test-pair-00003-b"`. */
  readonly id: string;
  readonly task: TaskKind;
  /** Image file path relative to the suite folder, `"images/<id>.png"`. */
  readonly image: string;
  readonly question: string;
  readonly options: readonly string[];
  readonly answerIndex: number;
  /** `'A'` + answerIndex. */
  readonly answerLetter: string;
  readonly answerWord: string;
  readonly roi: NormalizedBox;
  /** Shared by the two items of an MMVP-like pair. */
  readonly pairId?: string | undefined;
  readonly category: string;
  /** The scene to render (kept so images can be rendered later or in memory). */
  readonly scene: Scene;
  /** Reasoning tasks: the ordered boxes of the one latent span (chase: hop cells in hop order). */
  readonly rois?: readonly NormalizedBox[] | undefined;
  /** Chase: hops k. */
  readonly hops?: number | undefined;
  /** Chase: the counterfactual chain (another start, another answer shape). */
  readonly counterfactual?: TaskCounterfactual | undefined;
}

/** Item counts per task kind; absent kinds get none. */
export type TaskCounts = Partial<Record<TaskKind, number>>;

/**
 * Splits `total` items over `kinds` as evenly as possible (the first kinds get the remainder). Pairs come
 * in twos: an odd pair share gives its last item to the first other kind (or rounds up if pairs are the
 * only kind). The result has every perception kind (0 when not asked for) plus the asked reasoning kinds.
 *
 * @example
 * allocateCounts(10, ['attribute', 'pair']); // { attribute: 6, position: 0, count: 0, pair: 4 }
 */
export function allocateCounts(total: number, kinds: readonly TaskKind[]): TaskCounts & Record<PerceptionTaskKind, number> {
  if (!Number.isInteger(total) || total < 0) {
    throw new LvrError('CONFIG_INVALID', `synthetic: item counts must be integers ≥ 0, got ${total}`, { details: { value: total } });
  }
  const counts = Object.fromEntries(TASK_KINDS.map((k) => [k, 0])) as Record<TaskKind, number>;
  kinds.forEach((k, i) => {
    counts[k] = Math.floor(total / kinds.length) + (i < total % kinds.length ? 1 : 0);
  });
  if (counts.pair % 2 === 1) {
    const other = kinds.find((k) => k !== 'pair');
    if (other === undefined) counts.pair += 1;
    else {
      counts.pair -= 1;
      counts[other] += 1;
    }
  }
  return counts;
}

/** Zero-padded index. */
function pad(i: number, width: number): string {
  return String(i).padStart(width, '0');
}

/**
 * Generates the examples of one split in memory (scenes, questions, answers, ROI; no pixels). Every draw
 * uses its own `Rng` seeded from `(seed, split, task, draw index)`, so a split does not change when the
 * other split or another task's count changes, and the same arguments always give the same examples.
 * Test examples are ordered by task (pairs adjacent, like MMVP rows 2i and 2i+1); train examples are
 * shuffled with a seeded `Rng`.
 *
 * @example
 * const ex = generateExamples('test', { attribute: 2, position: 0, count: 0, pair: 2 }, 7, resolveTaskOptions());
 * ex.map((e) => e.id); // ['test-attribute-00000', 'test-attribute-00001', 'test-pair-00000-a', 'test-pair-00000-b']
 */
export function generateExamples(
  split: SuiteSplit,
  counts: Readonly<TaskCounts>,
  seed: number,
  o: ResolvedTaskOptions,
): SyntheticExample[] {
  const out: SyntheticExample[] = [];
  const width = Math.max(5, String(Math.max(0, ...Object.values(counts))).length);
  for (const kind of ALL_TASK_KINDS) {
    const family = getTaskFamily(kind);
    const count = counts[kind] ?? 0;
    const draws = Math.ceil(count / family.itemsPerDraw);
    for (let d = 0, made = 0; d < draws; d++) {
      const items = family.draw(new Rng(`${seed}/${split}/${kind}/${d}`), o, d);
      const base = `${split}-${kind}-${pad(d, width)}`;
      items.forEach((item, j) => {
        if (made >= count) return;
        made++;
        const id = family.itemsPerDraw === 1 ? base : `${base}-${String.fromCharCode(97 + j)}`;
        out.push({
          id,
          task: kind,
          image: `images/${id}.png`,
          question: item.question,
          options: item.options,
          answerIndex: item.answerIndex,
          answerLetter: String.fromCharCode(65 + item.answerIndex),
          answerWord: item.options[item.answerIndex]!,
          roi: item.roi,
          pairId: family.itemsPerDraw === 2 ? base : undefined,
          category: item.category,
          scene: item.scene,
          ...(item.rois !== undefined ? { rois: item.rois } : {}),
          ...(item.hops !== undefined ? { hops: item.hops } : {}),
          ...(item.counterfactual !== undefined ? { counterfactual: item.counterfactual } : {}),
        });
      });
    }
  }
  return split === 'train' ? new Rng(`${seed}/train/order`).shuffle(out) : out;
}

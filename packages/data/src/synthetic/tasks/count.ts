import type { Rng } from '@lvr/core';
import { placeObjects, unionBox, type ObjectSpec } from '../scene.js';
import { COLOUR_NAMES, NUMBER_WORDS, SHAPE_PLURALS, SHAPES, SIZE_CLASSES } from '../vocabulary.js';
import type { TaskFamily, TaskItem } from './task-family.js';
import type { ResolvedTaskOptions } from './task-options.js';

/**
 * `n` option counts: `answer` plus `n − 1` other counts of `[lo, hi]` drawn at random, in ascending order.
 * Every other count is equally likely to be left out, so the option set alone says nothing about the answer.
 */
export function pickCountOptions(rng: Rng, answer: number, lo: number, hi: number, n: number): number[] {
  const others: number[] = [];
  for (let k = lo; k <= hi; k++) if (k !== answer) others.push(k);
  rng.shuffle(others);
  return [answer, ...others.slice(0, n - 1)].sort((x, y) => x - y);
}

/**
 * Counting: "how many circles are there ?" or "how many red objects are there ?" with a count drawn
 * uniformly from `countRange` and `distractors` objects of other shapes (colours). Answer = the number
 * word; options = number words around it; ROI = the union box of the counted objects (the whole image
 * when the count is zero).
 */
export const countTask: TaskFamily = {
  kind: 'count',
  itemsPerDraw: 1,
  optionCount: (o) => o.countOptions,
  openChance: (o) => 1 / (o.countRange[1] - o.countRange[0] + 1),
  draw(rng: Rng, o: ResolvedTaskOptions): TaskItem[] {
    const by = rng.pick(o.countBy);
    const [lo, hi] = o.countRange;
    const k = rng.intBetween(lo, hi);
    const specs: ObjectSpec[] = [];
    let question: string;
    if (by === 'shape') {
      const shape = rng.pick(SHAPES);
      const others = SHAPES.filter((s) => s !== shape);
      for (let i = 0; i < k; i++) specs.push({ shape, colour: rng.pick(COLOUR_NAMES), size: rng.pick(SIZE_CLASSES) });
      for (let i = 0; i < o.distractors.count; i++) {
        specs.push({ shape: rng.pick(others), colour: rng.pick(COLOUR_NAMES), size: rng.pick(SIZE_CLASSES) });
      }
      question = `how many ${SHAPE_PLURALS[shape]} are there ?`;
    } else {
      const colour = rng.pick(COLOUR_NAMES);
      const others = COLOUR_NAMES.filter((c) => c !== colour);
      for (let i = 0; i < k; i++) specs.push({ shape: rng.pick(SHAPES), colour, size: rng.pick(SIZE_CLASSES) });
      for (let i = 0; i < o.distractors.count; i++) {
        specs.push({ shape: rng.pick(SHAPES), colour: rng.pick(others), size: rng.pick(SIZE_CLASSES) });
      }
      question = `how many ${colour} objects are there ?`;
    }
    const scene = placeObjects(rng, specs, o.scene);
    const counts = pickCountOptions(rng, k, lo, hi, o.countOptions);
    const counted = scene.objects.slice(0, k).map((x) => x.box);
    return [
      {
        scene,
        question,
        options: counts.map((c) => NUMBER_WORDS[c]!),
        answerIndex: counts.indexOf(k),
        roi: k === 0 ? [0, 0, 1, 1] : unionBox(counted),
        category: 'counting',
      },
    ];
  },
};

import type { Rng } from '@lvr/core';
import { placeObjects, type ObjectSpec, type Scene } from '../scene.js';
import { COLOUR_NAMES, SHAPES, SIZE_CLASSES, type ColourName, type SizeClass } from '../vocabulary.js';
import type { TaskFamily, TaskItem } from './task-family.js';
import type { ResolvedTaskOptions } from './task-options.js';

/** A scene built for an attribute question, with the indices of the objects that matter. */
export interface AttributeScene {
  readonly scene: Scene;
  /** Index of the target (the only object of its size and shape). */
  readonly target: number;
  /** Index of the binding distractor (same shape, other size, other colour), or -1 when disabled. */
  readonly binding: number;
}

/**
 * Draws the objects of an attribute question and places them: a target whose (size, shape) is unique in
 * the image, optionally a binding distractor (same shape, other size, other colour) and `distractors`
 * random objects of any other (size, shape).
 */
export function drawAttributeScene(rng: Rng, o: ResolvedTaskOptions, distractors: number): AttributeScene {
  const size: SizeClass = o.targetSize === 'any' ? rng.pick(SIZE_CLASSES) : o.targetSize;
  const otherSize: SizeClass = size === 'small' ? 'large' : 'small';
  const target: ObjectSpec = { shape: rng.pick(SHAPES), colour: rng.pick(COLOUR_NAMES), size };
  const specs: ObjectSpec[] = [target];
  let binding = -1;
  if (o.bindingDistractor) {
    binding = specs.length;
    specs.push({ shape: target.shape, colour: rng.pick(COLOUR_NAMES.filter((c) => c !== target.colour)), size: otherSize });
  }
  const kinds = SHAPES.flatMap((shape) => SIZE_CLASSES.map((s) => ({ shape, size: s })))
    .filter((k) => !(k.shape === target.shape && k.size === target.size)); // the 7 other (shape, size) pairs
  for (let i = 0; i < distractors; i++) specs.push({ ...rng.pick(kinds), colour: rng.pick(COLOUR_NAMES) });
  return { scene: placeObjects(rng, specs, o.scene), target: 0, binding };
}

/**
 * `count` option colours: `answer` plus colours present on other objects of the scene (so "which colour is
 * in the image" does not help), topped up with absent colours when the scene has too few, in random order.
 */
export function pickColourOptions(rng: Rng, scene: Scene, answer: ColourName, count: number): ColourName[] {
  const present = [...new Set(scene.objects.map((x) => x.colour))].filter((c) => c !== answer);
  rng.shuffle(present);
  const chosen = present.slice(0, count - 1);
  if (chosen.length < count - 1) {
    const absent = rng.shuffle(COLOUR_NAMES.filter((c) => c !== answer && !chosen.includes(c)));
    chosen.push(...absent.slice(0, count - 1 - chosen.length));
  }
  chosen.sort((a, b) => COLOUR_NAMES.indexOf(a) - COLOUR_NAMES.indexOf(b)); // drop the draw order, then shuffle
  return rng.shuffle([answer, ...chosen]);
}

/**
 * V* `direct_attributes`-like: "what colour is the small circle ?" about a small target among distractors,
 * including a same-shape large object of another colour, so the model must bind size and shape to find
 * it. Answer = the colour word; options = the answer + colours of other objects; ROI = the target's box.
 */
export const attributeTask: TaskFamily = {
  kind: 'attribute',
  itemsPerDraw: 1,
  optionCount: (o) => o.attributeOptions,
  openChance: () => 1 / COLOUR_NAMES.length,
  draw(rng: Rng, o: ResolvedTaskOptions): TaskItem[] {
    const { scene, target } = drawAttributeScene(rng, o, o.distractors.attribute);
    const t = scene.objects[target]!;
    const options = pickColourOptions(rng, scene, t.colour, o.attributeOptions);
    return [
      {
        scene,
        question: `what colour is the ${t.size} ${t.shape} ?`,
        options,
        answerIndex: options.indexOf(t.colour),
        roi: t.box,
        category: 'direct_attributes',
      },
    ];
  },
};

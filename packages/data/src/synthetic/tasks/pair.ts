import { LvrError, type Rng } from '@lvr/core';
import { tryPlaceObject, unionBox, type Scene, type SceneObject } from '../scene.js';
import { COLOUR_NAMES, POSITION_WORDS } from '../vocabulary.js';
import { drawAttributeScene } from './attribute.js';
import { drawPositionScene, positionAnswer, positionQuestion, wellSeparated } from './position.js';
import type { TaskFamily, TaskItem } from './task-family.js';
import type { ResolvedTaskOptions } from './task-options.js';

/** Replaces object `index` of a scene, keeping everything else (including the noise seed). */
function withObject(scene: Scene, index: number, obj: SceneObject): Scene {
  return { ...scene, objects: scene.objects.map((x, i) => (i === index ? obj : x)) };
}

function colourPair(rng: Rng, o: ResolvedTaskOptions): TaskItem[] {
  const { scene, target, binding } = drawAttributeScene(rng, o, o.distractors.pair);
  const t = scene.objects[target]!;
  const bindingColour = binding >= 0 ? scene.objects[binding]!.colour : undefined;
  const second = rng.pick(COLOUR_NAMES.filter((c) => c !== t.colour && c !== bindingColour));
  const sceneB = withObject(scene, target, { ...t, colour: second });
  const options = rng.shuffle([t.colour, second]);
  const question = `what colour is the ${t.size} ${t.shape} ?`;
  return [
    { scene, question, options, answerIndex: options.indexOf(t.colour), roi: t.box, category: 'pair_colour' },
    { scene: sceneB, question, options, answerIndex: options.indexOf(second), roi: t.box, category: 'pair_colour' },
  ];
}

function positionPair(rng: Rng, o: ResolvedTaskOptions): TaskItem[] {
  const size = o.scene.imageSize;
  for (let attempt = 0; attempt < o.scene.maxRestarts; attempt++) {
    const { scene, axis, a, b } = drawPositionScene(rng, o, o.distractors.pair);
    const oa = scene.objects[a]!;
    const ob = scene.objects[b]!;
    const before = positionAnswer(oa, ob, axis);
    const others = scene.objects.filter((_, i) => i !== a);
    // Move the asked-about object to the other side of the reference object (same size, same colour).
    const moved = tryPlaceObject(rng, oa, oa.radius, others, o.scene, (c) =>
      wellSeparated(c, ob, axis, o.minSeparation, size) && positionAnswer(c, ob, axis) !== before);
    if (moved === undefined) continue;
    const sceneB = withObject(scene, a, moved);
    const options: string[] = [...POSITION_WORDS[axis]];
    const question = positionQuestion(oa, ob, axis);
    return [
      { scene, question, options, answerIndex: options.indexOf(before), roi: unionBox([oa.box, ob.box]), category: 'pair_position' },
      {
        scene: sceneB,
        question,
        options,
        answerIndex: options.indexOf(positionAnswer(moved, ob, axis)),
        roi: unionBox([moved.box, ob.box]),
        category: 'pair_position',
      },
    ];
  }
  throw new LvrError(
    'CONFIG_INVALID',
    `synthetic: could not build a position pair in a ${size}×${size} image after ${o.scene.maxRestarts} attempts; ` +
      'use fewer pair distractors, a smaller minSeparation or a larger imageSize',
    { details: { task: 'pair', imageSize: size } },
  );
}

/**
 * MMVP-like image pairs: two images identical except for one detail (the target's colour, or the position
 * of the asked-about object, moved to the other side of the reference object), the same noise, the same
 * question and the same two options, and different answers. ROI = the object(s) the answer depends on
 * in each image: the changed target (colour pairs) or the union of the moved and the reference object
 * (position pairs).
 */
export const pairTask: TaskFamily = {
  kind: 'pair',
  itemsPerDraw: 2,
  optionCount: () => 2,
  // Colour pairs answer with one of 8 colours, position pairs with one of 2 words; variants are equally likely.
  openChance: (o) => o.pairVariants.reduce((s, v) => s + (v === 'colour' ? 1 / COLOUR_NAMES.length : 1 / 2), 0) / o.pairVariants.length,
  draw(rng: Rng, o: ResolvedTaskOptions): TaskItem[] {
    return rng.pick(o.pairVariants) === 'colour' ? colourPair(rng, o) : positionPair(rng, o);
  },
};
